import { estimateRetainedBytes } from '../../src/upstream/retained-size.js';

describe('estimateRetainedBytes', () => {
  it('counts a string by its length, twice that when V8 must store it two-byte', () => {
    const latin = estimateRetainedBytes('a'.repeat(1_000));
    const chinese = estimateRetainedBytes('字'.repeat(1_000));
    expect(latin).toBeGreaterThanOrEqual(1_000);
    expect(latin).toBeLessThan(1_100);
    expect(chinese - latin).toBe(1_000);
  });

  it('adds a header and a slot per value for objects and arrays, nothing for scalars in their slots', () => {
    const empty = estimateRetainedBytes({});
    expect(estimateRetainedBytes({ a: 1, b: true, c: null })).toBe(empty + 3 * 8);
    expect(estimateRetainedBytes([1, 2, 3, 4])).toBe(empty + 4 * 8);
  });

  it('counts an object reached twice once (a node result and its raw entry share their output)', () => {
    const output = { text: 'x'.repeat(10_000) };
    const once = estimateRetainedBytes({ output });
    expect(estimateRetainedBytes({ output, raw: { output } })).toBeLessThan(once + 100);
  });

  it('walks deep nesting without overflowing the stack, and survives cycles', () => {
    let deep: unknown = 'leaf';
    for (let depth = 0; depth < 100_000; depth += 1) deep = [deep];
    expect(estimateRetainedBytes(deep)).toBeGreaterThan(100_000);
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    expect(estimateRetainedBytes(cycle)).toBe(estimateRetainedBytes({ a: 1 }));
  });
});
