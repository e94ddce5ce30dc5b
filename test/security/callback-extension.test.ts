/**
 * The callback extension read before anything is sent (security/callback-extension.ts): the
 * allow-list by whole path segments and normalised origins, the typed fields, the heartbeat bounds.
 */
import {
  MAX_HEARTBEAT_MS,
  MIN_HEARTBEAT_MS,
  callbackUrlAllowed,
  readCallbackExtension,
} from '../../src/security/callback-extension.js';

const PREFIXES = ['http://router.internal:4000/callback', 'https://router.example/subs/'];

describe('callback URL allow-list', () => {
  it.each([
    ['http://router.internal:4000/callback/abc', true],
    ['http://router.internal:4000/callback', true],
    ['http://ROUTER.internal:4000/callback/abc', true],
    ['https://router.example:443/subs/abc', true],
    ['https://router.example/subs/', true],
    ['http://router.internal:4000/callbackx/abc', false],
    ['http://router.internal:4000/internal-admin/abc', false],
    ['http://router.internal:4001/callback/abc', false],
    ['https://router.internal:4000/callback/abc', false],
    ['http://router.internal:4000/callback/abc?x=1', false],
    ['http://user:pass@router.internal:4000/callback/abc', false],
    ['https://router.example/subs', false],
    ['http://0x7f000001:4000/callback/abc', false],
    ['data:application/json,{}', false],
    ['not a url', false],
  ])('%s -> %s', (url, allowed) => {
    expect(callbackUrlAllowed(url, PREFIXES)).toBe(allowed);
  });
});

describe('readCallbackExtension', () => {
  const policy = { allowedPrefixes: PREFIXES };
  const valid = { callbackUrl: 'http://router.internal:4000/callback/s1', subscriptionId: 's1', verifier: 'v1' };

  it('is off without prefixes, whatever the extension', () => {
    expect(readCallbackExtension(valid, { allowedPrefixes: [] })).toEqual({
      refusal: expect.objectContaining({ code: 'CALLBACK_NOT_ALLOWED', status: 403 }),
    });
  });

  it('passes the four fields on, snake_case names read too, the heartbeat defaulted and bounded', () => {
    expect(readCallbackExtension(valid, policy)).toEqual({ request: { ...valid, heartbeatIntervalMs: 5_000 } });
    expect(
      readCallbackExtension(
        {
          callback_url: valid.callbackUrl,
          subscription_id: 's1',
          verifier: 'v1',
          heartbeat_interval_ms: 1,
          extra: 'x',
        },
        policy,
      ),
    ).toEqual({
      request: { ...valid, heartbeatIntervalMs: MIN_HEARTBEAT_MS },
    });
    expect(readCallbackExtension({ ...valid, heartbeatIntervalMs: 2 ** 31 }, policy)).toEqual({
      request: { ...valid, heartbeatIntervalMs: MAX_HEARTBEAT_MS },
    });
    expect(readCallbackExtension({ ...valid, heartbeatIntervalMs: 0 }, policy)).toEqual({
      request: { ...valid, heartbeatIntervalMs: 0 },
    });
  });

  it.each([
    ['not an object', 'x'],
    ['an array', [valid]],
    ['an object as callbackUrl', { ...valid, callbackUrl: {} }],
    ['no subscriptionId', { ...valid, subscriptionId: undefined }],
    ['an empty verifier', { ...valid, verifier: '' }],
    ['a long verifier', { ...valid, verifier: 'v'.repeat(257) }],
    ['a negative heartbeat', { ...valid, heartbeatIntervalMs: -1 }],
    ['a fractional heartbeat', { ...valid, heartbeatIntervalMs: 0.5 }],
    ['a heartbeat as text', { ...valid, heartbeatIntervalMs: '5000' }],
  ])('refuses %s with BAD_USER_INPUT', (_what, extension) => {
    expect(readCallbackExtension(extension, policy)).toEqual({
      refusal: expect.objectContaining({ code: 'BAD_USER_INPUT', status: 400 }),
    });
  });
});
