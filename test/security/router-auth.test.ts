import { createHash } from 'node:crypto';
import { secretMatches } from '../../src/security/router-auth.js';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

describe('secretMatches', () => {
  const expected = digest('router-secret-0123456789abcdef');

  it('accepts exactly the secret', () => {
    expect(secretMatches('router-secret-0123456789abcdef', expected)).toBe(true);
  });

  it.each([
    ['a different value of the same length', 'router-secret-0123456789abcdeX'],
    ['a prefix', 'router-secret'],
    ['a longer value', 'router-secret-0123456789abcdef0'],
    ['an empty value', ''],
    ['different case', 'ROUTER-SECRET-0123456789ABCDEF'],
  ])('refuses %s, without throwing on a length difference', (_case, presented) => {
    expect(secretMatches(presented, expected)).toBe(false);
  });
});
