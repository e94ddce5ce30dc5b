import { cacheControlDirectives, sharedFreshness } from '../../src/http-cache/freshness.js';

describe('sharedFreshness', () => {
  it('reads max-age and the Age already spent', () => {
    expect(sharedFreshness(200, { 'cache-control': 'max-age=600, public' })).toEqual({
      maxAgeSeconds: 600,
      ageSeconds: 0,
    });
    expect(sharedFreshness(200, { 'cache-control': 'max-age=600, public', age: '42' })).toEqual({
      maxAgeSeconds: 600,
      ageSeconds: 42,
    });
    expect(sharedFreshness(200, { 'cache-control': 'max-age=600', age: 7 })).toEqual({
      maxAgeSeconds: 600,
      ageSeconds: 7,
    });
  });

  it('prefers s-maxage, the shared-cache lifetime', () => {
    expect(sharedFreshness(200, { 'cache-control': 'max-age=600, s-maxage=30' })).toEqual({
      maxAgeSeconds: 30,
      ageSeconds: 0,
    });
  });

  it.each([
    ['no Cache-Control', 200, {}],
    ['no-store (Apollo, for answers with errors)', 200, { 'cache-control': 'no-store' }],
    ['private scope', 200, { 'cache-control': 'max-age=60, private' }],
    ['no-cache', 200, { 'cache-control': 'max-age=60, no-cache' }],
    ['max-age=0', 200, { 'cache-control': 'max-age=0, public' }],
    ['a malformed max-age', 200, { 'cache-control': 'max-age=soon' }],
    ['a status other than 200', 400, { 'cache-control': 'max-age=60, public' }],
    ['a cookie', 200, { 'cache-control': 'max-age=60, public', 'set-cookie': ['a=b'] }],
    ['an answer already as old as its max-age', 200, { 'cache-control': 'max-age=60, public', age: '60' }],
  ])('stores nothing for %s', (_what, status, headers) => {
    expect(sharedFreshness(status, headers)).toBeNull();
  });
});

describe('cacheControlDirectives', () => {
  it('lower-cases names, unquotes values and keeps the first of a repeated directive', () => {
    expect([...cacheControlDirectives(' Max-Age="60" , PUBLIC, max-age=5')]).toEqual([
      ['max-age', '60'],
      ['public', ''],
    ]);
  });
});
