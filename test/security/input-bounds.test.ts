import { checkInput, exceededBound } from '../../src/security/input-bounds.js';

const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

describe('input bounds', () => {
  const bounds = { maxDepth: 3, maxValues: 6 };

  it('counts the top-level object as depth 1 and every value, containers included', () => {
    expect(exceededBound({ a: [1, 2] }, bounds)).toBeNull(); // 4 values, depth 2
    expect(exceededBound({ a: [[{}]] }, bounds)).toEqual({ limit: 'depth' }); // the {} is at depth 4
    expect(exceededBound({ a: [[1]] }, bounds)).toBeNull(); // scalars add no depth
    expect(exceededBound([1, 2, 3, 4, 5], bounds)).toBeNull(); // 6 values
    expect(exceededBound([1, 2, 3, 4, 5, 6], bounds)).toEqual({ limit: 'values' });
    expect(exceededBound('text', bounds)).toBeNull();
  });

  it('measures a value far deeper than the call stack allows without recursing', () => {
    expect(exceededBound(nested(200_000), { maxDepth: 1_000_000, maxValues: 1_000_000 })).toBeNull();
    expect(exceededBound(nested(200_000), { maxDepth: 8, maxValues: 1_000_000 })).toEqual({ limit: 'depth' });
  });

  it('names the part and the limit', () => {
    expect(checkInput({ variables: { a: 1 }, extensions: [[[[1]]]] }, bounds)).toEqual({
      part: 'extensions',
      limit: 'depth',
      message: '`extensions` nests deeper than 3 levels; the limit is 3 levels (MAX_INPUT_DEPTH)',
    });
    expect(checkInput({ variables: undefined }, bounds)).toBeNull();
  });
});
