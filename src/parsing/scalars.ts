/**
 * Reading single provider fields: the first of several key spellings, strings,
 * numbers that may come as numeric strings, ids, enum tokens. Every reader
 * returns null for absent or unusable values and never throws.
 */

/** The first alias whose value is present (neither undefined nor null), with the key that held it. */
export function pickKey<V>(
  record: Readonly<Record<string, V>>,
  aliases: readonly string[],
): { readonly key: string; readonly value: NonNullable<V> } | null {
  for (const key of aliases) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const value = record[key];
    if (value !== undefined && value !== null) return { key, value };
  }
  return null;
}

/**
 * The first alias whose value `convert` accepts, with its key. Aliases holding
 * unusable values are skipped, so `{"id": {}, "nodeId": "a"}` yields "a".
 */
export function pickAs<T>(
  record: Readonly<Record<string, unknown>>,
  aliases: readonly string[],
  convert: (value: unknown) => T | null,
): { readonly key: string; readonly value: T } | null {
  for (const key of aliases) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const value = convert(record[key]);
    if (value !== null) return { key, value };
  }
  return null;
}

/**
 * Strings as sent (an empty string is data too: Tencent uses "" for "no error").
 * Finite numbers and booleans become their text, since a provider that types an
 * id or a message as a number still means the text.
 */
export function asString(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

/** Plain decimal notation only: `Number()` would also accept "", "0x1f" and " ", which are not numbers here. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number, given as a number or as a decimal numeric string (ErrCode, Progress). */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (!DECIMAL.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/**
 * An identifier usable as a join key: a non-blank string as sent, or a finite
 * number as its text (graph ids may be numbers while NodeResults keys are
 * always strings, and the two must meet).
 */
export function asId(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * Maps a provider enum to ours. `undefined`/`null` stay null (the provider said
 * nothing); any other value, including non-strings and unknown words, is
 * `unknown` so a new provider status shows up as UNKNOWN instead of vanishing.
 * Matching ignores case, surrounding blanks and `_`/space vs `-`.
 */
export function mapEnum<T extends string>(value: unknown, table: Readonly<Record<string, T>>, unknown: T): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return unknown;
  const token = value
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  return Object.prototype.hasOwnProperty.call(table, token) ? (table[token] ?? unknown) : unknown;
}
