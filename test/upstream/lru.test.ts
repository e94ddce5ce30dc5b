import { LruTtlMap } from '../../src/upstream/lru.js';

describe('LRU map with expiry', () => {
  let time = 0;
  const now = (): number => time;
  beforeEach(() => {
    time = 0;
  });

  it('returns a value until its TTL has passed, then forgets it', () => {
    const map = new LruTtlMap<string, number>(10, now);
    map.set('a', 1, 100);
    time = 99;
    expect(map.get('a')).toBe(1);
    time = 100;
    expect(map.get('a')).toBeUndefined();
    expect(map.size).toBe(0);
  });

  it('never holds more than maxEntries, dropping the least recently used', () => {
    const map = new LruTtlMap<string, number>(3, now);
    map.set('a', 1, 1000);
    map.set('b', 2, 1000);
    map.set('c', 3, 1000);
    expect(map.get('a')).toBe(1); // a is now the most recently used
    map.set('d', 4, 1000);
    expect(map.size).toBe(3);
    expect(map.get('b')).toBeUndefined();
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([1, 3, 4]);
  });

  it('replaces a key in place instead of growing', () => {
    const map = new LruTtlMap<string, number>(2, now);
    map.set('a', 1, 1000);
    map.set('a', 2, 1000);
    map.set('b', 3, 1000);
    expect(map.size).toBe(2);
    expect(map.get('a')).toBe(2);
  });

  it('stores nothing for a TTL of 0 or a capacity of 0', () => {
    const map = new LruTtlMap<string, number>(2, now);
    map.set('a', 1, 0);
    expect(map.get('a')).toBeUndefined();
    const off = new LruTtlMap<string, number>(0, now);
    off.set('a', 1, 1000);
    expect(off.get('a')).toBeUndefined();
  });
});
