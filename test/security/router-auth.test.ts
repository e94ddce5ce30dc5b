import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { carriesRouterSecret, secretMatches } from '../../src/security/router-auth.js';

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

describe('carriesRouterSecret', () => {
  const carries = carriesRouterSecret({ secret: 'router-secret-0123456789abcdef', header: 'router-authorization' });
  const request = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

  it('accepts the secret in the configured header only', () => {
    expect(carries(request({ 'router-authorization': 'router-secret-0123456789abcdef' }))).toBe(true);
    expect(carries(request({ authorization: 'router-secret-0123456789abcdef' }))).toBe(false);
    expect(carries(request({}))).toBe(false);
    expect(carries(request({ 'router-authorization': 'router-secret-0123456789abcdeX' }))).toBe(false);
  });
});
