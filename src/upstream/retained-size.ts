/**
 * A cheap, honest estimate of the heap a parsed task model keeps alive, so the task
 * cache can be bounded by bytes. Computed once per entry, when it is stored (a miss,
 * which has just paid for a provider call and a parse of the same data).
 *
 * Why a walk of the model and not the raw payload's length: measured on Node 20 (heap
 * in use after GC, per model kept, against each estimate; docs/BENCHMARKS.md, section 7):
 *
 * | model                                   | heap     | this walk     | raw payload  |
 * |-----------------------------------------|----------|---------------|--------------|
 * | workflow task, 200 nodes                | 212 KB   | 231 KB (1.09×)| 175 KB (0.82×)|
 * | workflow task, 20 nodes                 | 22 KB    | 24 KB (1.07×) | 18 KB (0.80×)|
 * | workflow task, 200 nodes, Chinese text  | 268 KB   | 203 KB (0.76×)| 162 KB (0.61×)|
 * | small workflow task (the bench's)       | 155 B    | 410 B (2.6×)  | 243 B (1.6×) |
 *
 * The walk is closer for the large models a byte bound exists for; it overestimates small
 * ones, whose short strings V8 shares, which only makes the bound conservative (and the
 * count bound applies to those first). It also needs no plumbing: the parser gets the body
 * already decoded, so the raw length would have to travel up from the HTTP layer.
 *
 * The model: V8 on 64-bit without pointer compression (Node's default), 8 bytes a slot;
 * an object or array is a header plus a slot per value; a string a header plus a byte per
 * character, two when it holds any character above U+00FF (V8 then stores it two-byte).
 * Text parsed out of a two-byte JSON string can be two-byte even when it is ASCII, which
 * is the Chinese row's shortfall. Shared objects count once; numbers, booleans and null
 * live in their slot.
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
