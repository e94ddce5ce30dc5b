/**
 * Provider fields that carry JSON arrive as objects, JSON text, double-encoded text or
 * backslash-escaped text (Alibaba's doc sample); this accepts each and hands back the value or the
 * text exactly as it came, within MAX_STRING_LAYERS decodes. JSON text that decodes to a scalar is
 * kept as the string sent, not the scalar. Why: docs/architecture.md, "Parsing".
 */

import type { JsonValue } from './models.js';
import { describeError, describeValue, toJsonValue } from './json-value.js';

export type JsonFieldResult =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly raw: string; readonly reason: string };

/** Decodes allowed per field: double-encoded plus backslash-escaped plus one spare. */
export const MAX_STRING_LAYERS = 3;

export function parseJsonField(input: unknown): JsonFieldResult {
  try {
    if (input === undefined || input === null) return { ok: true, value: null };
    if (typeof input === 'string') return parseJsonText(input);
    const shaped = toJsonValue(input);
    if (shaped.ok) return { ok: true, value: shaped.value };
    return { ok: false, raw: describeValue(input), reason: shaped.reason };
  } catch (error) {
    // Only exotic inputs (proxies with throwing traps) get here; stay total.
    return { ok: false, raw: describeValue(input), reason: `unreadable value: ${describeError(error)}` };
  }
}

/** For GraphQL `JSON` fields: the decoded value when there is one, else the text as sent. */
export function jsonFieldOrRaw(input: unknown): JsonValue {
  const parsed = parseJsonField(input);
  return parsed.ok ? parsed.value : parsed.raw;
}

type Decoded =
  | { readonly kind: 'container'; readonly value: JsonValue }
  | { readonly kind: 'scalar' }
  | { readonly kind: 'invalid'; readonly reason: string };

function parseJsonText(text: string): JsonFieldResult {
  const decoded = decode(text, 1);
  switch (decoded.kind) {
    case 'container':
      return { ok: true, value: decoded.value };
    case 'scalar':
      return { ok: true, value: text };
    case 'invalid':
      return { ok: false, raw: text, reason: decoded.reason };
  }
}

function decode(text: string, layer: number): Decoded {
  if (layer > MAX_STRING_LAYERS) {
    return { kind: 'invalid', reason: `more than ${MAX_STRING_LAYERS} layers of string encoding` };
  }
  // JSON.parse skips whitespace itself but not a byte-order mark.
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') {
    return { kind: 'invalid', reason: layer === 1 ? 'empty string is not JSON' : 'decoded to an empty string' };
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    if (looksLikeContainer(trimmed) && trimmed.includes('\\"')) {
      const unescaped = unescapeOnce(trimmed);
      if (unescaped !== null) return decode(unescaped, layer + 1);
    }
    return { kind: 'invalid', reason: `not valid JSON: ${describeError(error)}` };
  }

  if (typeof parsed === 'string') {
    // A JSON string literal: another layer of encoding when its content is a
    // container or yet another string literal; otherwise plain text.
    const inner = parsed.trim();
    return looksLikeContainer(inner) || inner.startsWith('"') ? decode(parsed, layer + 1) : { kind: 'scalar' };
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const shaped = toJsonValue(parsed);
    return shaped.ok ? { kind: 'container', value: shaped.value } : { kind: 'invalid', reason: shaped.reason };
  }
  return { kind: 'scalar' };
}

function looksLikeContainer(text: string): boolean {
  return text.startsWith('{') || text.startsWith('[');
}

/**
 * Reads `text` as the body of a JSON string literal, i.e. undoes exactly one
 * level of escaping (`\"` -> `"`, `\\` -> `\`, `\n` -> newline). Raw control
 * characters (a pretty-printed payload) are not allowed inside a JSON string,
 * so they are escaped first; they decode back to themselves. An unescaped `"`
 * means the text was not uniformly escaped, and we give up (null).
 */
function unescapeOnce(text: string): string | null {
  const literal = `"${text.replace(/[\u0000-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
