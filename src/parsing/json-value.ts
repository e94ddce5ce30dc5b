/**
 * The JSON-shape check every parser in this folder relies on: turns an
 * `unknown` (normally straight out of `JSON.parse`) into a `JsonValue`, or
 * says why it is not one. Kept apart from string decoding (json-field.ts) so
 * graph and node-result parsers can validate already-decoded values too.
 */

import type { JsonObject, JsonValue, Parsed } from './models.js';

/**
 * Deeper than any provider payload we have seen by far; the limit exists so
 * a hostile or cyclic-looking value ends in `ok: false`, not a stack overflow.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * A plain object, from this realm or another one. Jest runs tests in a vm
 * context and `fetch` bodies are built in Node's main realm, so comparing with
 * this realm's `Object.prototype` would reject genuine JSON objects.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets a key on a fresh object without going through `__proto__`'s setter:
 * JSON.parse creates `"__proto__"` as an ordinary own key, and plain
 * assignment would instead replace the copy's prototype.
 */
export function defineKey(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Checks that `input` is JSON-shaped and returns a fresh copy, so callers never
 * share (and can never mutate) the provider's objects.
 *
 * Rules follow what `JSON.stringify` would do with a value, except that we
 * refuse instead of silently changing data: object members whose value is
 * `undefined` are dropped (they mean "absent", and JSON cannot carry them);
 * anything else JSON cannot represent (undefined in arrays, NaN/Infinity,
 * bigint, functions, symbols, Dates, Maps, class instances, cycles) makes the
 * whole value not JSON-shaped.
 */
export function toJsonValue(input: unknown): Parsed<JsonValue> {
  try {
    return { ok: true, value: copy(input, 0, new Set()) };
  } catch (error) {
    return { ok: false, reason: error instanceof NotJson ? error.message : `not JSON-shaped: ${describeError(error)}` };
  }
}

class NotJson extends Error {}

function copy(input: unknown, depth: number, ancestors: Set<object>): JsonValue {
  if (input === null) return null;
  switch (typeof input) {
    case 'string':
    case 'boolean':
      return input;
    case 'number':
      if (!Number.isFinite(input)) throw new NotJson(`not JSON-shaped: ${String(input)} is not a finite number`);
      return input;
    case 'object':
      break;
    default:
      throw new NotJson(`not JSON-shaped: a ${typeof input} is not a JSON value`);
  }
  if (depth >= MAX_JSON_DEPTH) throw new NotJson(`not JSON-shaped: nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (ancestors.has(input)) throw new NotJson('not JSON-shaped: the value contains a cycle');
  ancestors.add(input);
  try {
    if (Array.isArray(input)) {
      const items: JsonValue[] = [];
      for (let i = 0; i < input.length; i += 1) {
        const item: unknown = input[i];
        if (item === undefined) throw new NotJson(`not JSON-shaped: array item ${i} is undefined`);
        items.push(copy(item, depth + 1, ancestors));
      }
      return items;
    }
    if (!isRecord(input)) {
      const name = (input as { constructor?: { name?: unknown } }).constructor?.name;
      throw new NotJson(
        `not JSON-shaped: a ${typeof name === 'string' ? name : 'non-plain'} object is not a JSON object`,
      );
    }
    const out: JsonObject = {};
    for (const key of Object.keys(input)) {
      const member = input[key];
      if (member === undefined) continue;
      defineKey(out, key, copy(member, depth + 1, ancestors));
    }
    return out;
  } finally {
    ancestors.delete(input);
  }
}

/** How a value is named in reasons ("an array", "a string", ...). */
export function kindOf(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Compact JSON text of a value that is known to be JSON (used to turn non-string errors into strings). */
export function compactJson(value: JsonValue): string {
  return JSON.stringify(value);
}

/**
 * Best-effort text of any value for `raw` fields and reasons: never throws,
 * even for cycles, bigints or objects whose `toString` throws.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  // Primitives by their own text: JSON.stringify would turn NaN into "null".
  if (typeof value !== 'object' || value === null) {
    try {
      return String(value);
    } catch {
      return typeof value;
    }
  }
  try {
    const text = JSON.stringify(value);
    if (typeof text === 'string') return text;
  } catch {
    // Cycles and bigints land here; fall through to String().
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return describeValue(error);
}
