/**
 * The emulated platform's HTTP controls (for tools in another process) and what its
 * issued credentials are worth at the provider endpoints: accepted while current,
 * refused with the provider's own code once expired or revoked.
 */
import fetch from 'node-fetch';
import { PLATFORM_CONTROL_PREFIX, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { verifyTc3Request } from '../../src/emulator/tencent-auth.js';
import { createPlatform } from '../../src/emulator/platform.js';
import { credentialBook } from '../../src/emulator/credentials.js';
import { buildDescribeImageTaskDetailRequest } from '../../src/providers/tencent/client.js';

let emulator: RunningEmulator;
const now = Date.parse('2026-12-04T12:00:00Z');

beforeAll(async () => {
  emulator = await startEmulator({ now: () => now });
});
afterAll(() => emulator.close());

const control = (path: string, method: string, body?: unknown) =>
  fetch(`${emulator.url}${PLATFORM_CONTROL_PREFIX}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

const assume = () =>
  fetch(`${emulator.url}/?Action=AssumeRoleWithOIDC&Version=2015-04-01&Format=JSON`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'OIDCProviderArn=arn%3Aprovider&RoleArn=arn%3Arole&OIDCToken=jwt&RoleSessionName=s&DurationSeconds=3600',
  });

test('lifetime, outage, revocation and the call log over HTTP', async () => {
  expect((await control('lifetime', 'POST', { seconds: 30 })).status).toBe(204);
  const issued = (await (await assume()).json()) as { Credentials: { Expiration: string; AccessKeyId: string } };
  expect(issued.Credentials.Expiration).toBe('2026-12-04T12:00:30Z');
  expect(issued.Credentials.AccessKeyId).toMatch(/^STS\./);

  expect((await control('down', 'POST', { service: 'sts', down: true })).status).toBe(204);
  const refused = await assume();
  expect(refused.status).toBe(503);
  expect(((await refused.json()) as { Code: string }).Code).toBe('ServiceUnavailable');
  expect((await control('down', 'POST', { service: 'sts', down: false })).status).toBe(204);

  expect(await (await control('revoke', 'POST', { provider: 'alibaba-ice' })).json()).toEqual({ revoked: 1 });
  const calls = (await (await control('calls?service=sts', 'GET')).json()) as {
    count: number;
    calls: Array<Record<string, unknown>>;
  };
  expect(calls.count).toBe(2);
  expect(calls.calls.map((c) => c['outcome'])).toEqual(['ok', 'ServiceUnavailable']);
  // The OIDC token stays in process.
  expect(JSON.stringify(calls)).not.toContain('jwt');

  expect((await control('down', 'POST', { service: 'dns', down: true })).status).toBe(400);
  expect((await control('lifetime', 'POST', { seconds: 0 })).status).toBe(400);
  expect((await control('nope', 'GET')).status).toBe(404);
  expect((await control('calls', 'DELETE')).status).toBe(204);
  expect(emulator.platform.callCount()).toBe(0);
});

test('an issued Tencent credential signs while current, then answers AuthFailure.TokenFailure expired or revoked', () => {
  let at = Date.parse('2026-12-04T12:00:00Z');
  const platform = createPlatform();
  platform.setLifetime(10_000);
  const book = platform.book(credentialBook({}));
  const answer = platform.answer(
    {
      method: 'GET',
      url: '/latest/meta-data/cam/security-credentials/EmulatorCvmRole',
      path: '/latest/meta-data/cam/security-credentials/EmulatorCvmRole',
      rawQuery: '',
      headers: {},
      body: Buffer.alloc(0),
    },
    at,
  );
  const issued = JSON.parse(answer!.body) as {
    TmpSecretId: string;
    TmpSecretKey: string;
    Token: string;
    ExpiredTime: number;
  };
  expect(issued.ExpiredTime).toBe(at / 1000 + 10);
  const credentials = { secretId: issued.TmpSecretId, secretKey: issued.TmpSecretKey, sessionToken: issued.Token };
  const verdictAt = (ms: number) => {
    const request = buildDescribeImageTaskDetailRequest({ endpoint: 'http://127.0.0.1:1', credentials }, 'task', ms);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return verifyTc3Request(
      { method: 'POST', url: '/', path: '/', rawQuery: '', headers, body: request.body! },
      book.tencent,
      ms,
    );
  };
  expect(verdictAt(at).ok).toBe(true);
  at += 10_000;
  expect(verdictAt(at)).toEqual({ ok: false, code: 'AuthFailure.TokenFailure', message: 'The token has expired.' });
  expect(platform.revoke('tencent-mps')).toBe(1);
  expect(verdictAt(at - 5_000)).toEqual({
    ok: false,
    code: 'AuthFailure.TokenFailure',
    message: 'The token has been revoked.',
  });
});
