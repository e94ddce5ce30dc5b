/**
 * A cheap estimate of the heap a parsed task model keeps alive, so the task cache can be bounded by
 * bytes: a walk of the model (V8 64-bit, 8-byte slots; strings by length, two bytes a character
 * when any is above U+00FF; shared objects once), computed once when an entry is stored.
 * Why a walk, and how close it is: docs/architecture.md, "The task cache's size estimate".
 */

const SLOT_BYTES = 8;
const OBJECT_HEADER_BYTES = 16;
const STRING_HEADER_BYTES = 16;
const TWO_BYTE = /[^\u0000-\u00ff]/;

export function estimateRetainedBytes(value: unknown): number {
  const seen = new Set<object>();
  let bytes = 0;
  const pending: unknown[] = [value];
  // An explicit stack, not recursion: a provider's deeply nested JSON must not overflow it.
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      bytes += STRING_HEADER_BYTES + next.length * (TWO_BYTE.test(next) ? 2 : 1);
    } else if (typeof next === 'object' && next !== null && !seen.has(next)) {
      seen.add(next);
      const values = Array.isArray(next) ? (next as unknown[]) : Object.values(next);
      bytes += OBJECT_HEADER_BYTES + SLOT_BYTES * values.length;
      for (const each of values) pending.push(each);
    }
  }
  return bytes;
}
