/**
 * Temporary credentials rotating under load, over real sockets: a minute of 8-second
 * credentials, a rotated token file, a token revoked early, STS down and back, and
 * lookups that all arrive when the credential expires. Each test has its own emulator.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { setTimeout as wait } from 'node:timers/promises';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { ProviderError } from '../../../src/providers/errors.js';
import { createAgentChooser } from '../../../src/providers/http.js';
import { IMAGE_TASK_ID, WORKFLOW_TASK_ID, aliyun, tempDir, tencent, writeFile } from './harness.js';

let emulator: RunningEmulator;
let dir: string;
const agent = createAgentChooser();

beforeEach(async () => {
  emulator = await startEmulator();
  dir = tempDir();
});

afterEach(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

afterAll(() => agent.destroy());

const rrsa = (tokenFile: string) => ({
  rrsa: {
    roleArn: 'acs:ram::1234567890:role/subgraph',
    oidcProviderArn: 'acs:ram::1234567890:oidc-provider/ack',
    oidcTokenFile: tokenFile,
  },
  stsEndpoint: emulator.url,
});
const tke = (tokenFile: string) => ({
  tke: {
    region: 'ap-guangzhou',
    providerId: 'tke-oidc',
    webIdentityTokenFile: tokenFile,
    roleArn: 'qcs::cam::uin/1:roleName/subgraph',
  },
  stsEndpoint: emulator.url,
});

/** Every secret the platform issued, and the OIDC tokens: none may show in an error or a refresh event. */
function secretsIn(emulatorCalls: RunningEmulator): string[] {
  const fromCalls = emulatorCalls
    .calls()
    .flatMap((c) => [c.headers['x-tc-token'] ?? '', c.headers['x-acs-security-token'] ?? '']);
  const tokens = emulatorCalls.platform.calls().map((c) => c.oidcToken ?? '');
  return [...fromCalls, ...tokens].filter((s) => s !== '');
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (condition()) return;
    await wait(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a minute of lookups on 8-second credentials: none fails, STS is called about once per lifetime', async () => {
  emulator.platform.setLifetime(8_000);
  const alibaba = await aliyun(emulator, rrsa(writeFile(dir, 'ack-token', 'ack-token')), agent);
  const mps = await tencent(emulator, tke(writeFile(dir, 'tke-token', 'tke-token')), agent);
  const failures: unknown[] = [];
  let lookups = 0;
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const results = await Promise.allSettled([
      alibaba.client.getAIWorkflowTask(WORKFLOW_TASK_ID),
      mps.client.describeImageTaskDetail(IMAGE_TASK_ID),
    ]);
    lookups += results.length;
    failures.push(...results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason));
    await wait(100);
  }
  expect(failures).toEqual([]);
  expect(emulator.callCount({ provider: 'alibaba-ice' }) + emulator.callCount({ provider: 'tencent-mps' })).toBe(
    lookups,
  );
  // Refreshed with a third left (about every 5.3 s of a 7-8 s lifetime): 8 to 13 calls a minute, never one per lookup.
  for (const provider of ['alibaba-ice', 'tencent-mps'] as const) {
    const sts = emulator.platform.callCount({ service: 'sts', provider });
    expect(sts).toBeGreaterThanOrEqual(8);
    expect(sts).toBeLessThanOrEqual(13);
    expect(emulator.platform.callCount({ service: 'sts', provider })).toBe(emulator.platform.issued(provider).length);
  }
  expect(lookups).toBeGreaterThan(100);
  // No provider call was refused for its token: every one was signed with a credential still valid.
  expect(emulator.calls().filter((c) => c.outcome !== 'ok')).toEqual([]);
  const events = JSON.stringify([...alibaba.refreshes, ...mps.refreshes]);
  for (const secret of secretsIn(emulator)) expect(events).not.toContain(secret);
}, 90_000);

test('a rotated token file is read at the next refresh', async () => {
  const tokenFile = writeFile(dir, 'token', 'token-before-rotation');
  emulator.platform.acceptOidcTokens(['token-before-rotation']);
  const { client } = await aliyun(emulator, rrsa(tokenFile), agent);
  await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
  // The platform rotates the file and stops accepting the old token; the issued credential is revoked.
  writeFileSync(tokenFile, 'token-after-rotation\n');
  emulator.platform.acceptOidcTokens(['token-after-rotation']);
  emulator.platform.revoke('alibaba-ice');
  await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
  expect(emulator.platform.calls({ service: 'sts' }).map((c) => [c.oidcToken, c.outcome])).toEqual([
    ['token-before-rotation', 'ok'],
    ['token-after-rotation', 'ok'],
  ]);
  expect(emulator.calls().map((c) => c.outcome)).toEqual(['ok', 'InvalidSecurityToken.Expired', 'ok']);
});

test('a token revoked early: the refusal forces one refresh and one retry of that lookup', async () => {
  const { client } = await tencent(emulator, tke(writeFile(dir, 'token', 'tke')), agent);
  await client.describeImageTaskDetail(IMAGE_TASK_ID);
  const [first] = emulator.platform.issued('tencent-mps');
  expect(emulator.platform.revoke('tencent-mps')).toBe(1);
  await Promise.all([client.describeImageTaskDetail(IMAGE_TASK_ID), client.describeImageTaskDetail(IMAGE_TASK_ID)]);
  expect(emulator.platform.callCount({ service: 'sts' })).toBe(2);
  const outcomes = emulator.calls().map((c) => [c.outcome, c.headers['authorization']?.includes(first!.id)]);
  expect(outcomes).toEqual([
    ['ok', true],
    ['AuthFailure.TokenFailure', true],
    ['AuthFailure.TokenFailure', true],
    ['ok', false],
    ['ok', false],
  ]);
});

test('STS down for a while and back: lookups go on with the held credential, refreshes back off, then succeed', async () => {
  emulator.platform.setLifetime(6_000);
  const { client, holder, refreshes } = await tencent(emulator, tke(writeFile(dir, 'token', 'tke')), agent);
  await client.describeImageTaskDetail(IMAGE_TASK_ID);
  emulator.platform.setDown('sts', true);
  const failures: unknown[] = [];
  const look = (): Promise<void> =>
    client.describeImageTaskDetail(IMAGE_TASK_ID).then(
      () => undefined,
      (e: unknown) => void failures.push(e),
    );
  // Until two refreshes have failed inside the margin (the credential still valid).
  while (refreshes.filter((r) => r.outcome === 'failure').length < 2) {
    await look();
    await wait(50);
  }
  expect(holder.isReady()).toBe(true);
  emulator.platform.setDown('sts', false);
  while (refreshes.at(-1)?.outcome !== 'success' || refreshes.length < 4) {
    await look();
    await wait(50);
  }
  await look();
  expect(failures).toEqual([]);
  expect(refreshes[0]!.outcome).toBe('success');
  expect(refreshes.at(-1)!.outcome).toBe('success');
  expect(emulator.platform.issued('tencent-mps')).toHaveLength(2);
  expect(emulator.calls().filter((c) => c.outcome !== 'ok')).toEqual([]);
  // Backed off: far fewer STS attempts than lookups.
  expect(emulator.platform.callCount({ service: 'sts' })).toBeLessThan(emulator.callCount());
});

test('expired and STS down: UPSTREAM_AUTH_FAILED naming the source and why, and nothing secret', async () => {
  emulator.platform.setLifetime(2_000);
  const { client, holder } = await tencent(emulator, tke(writeFile(dir, 'token', 'the-oidc-token')), agent);
  await client.describeImageTaskDetail(IMAGE_TASK_ID);
  emulator.platform.setDown('sts', true);
  const expiresAtMs = holder.state().expiresAtMs!;
  await until(() => Date.now() > expiresAtMs, 'the credential to expire');
  const error = await client.describeImageTaskDetail(IMAGE_TASK_ID).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as ProviderError).kind).toBe('AUTH_FAILED');
  expect((error as ProviderError).message).toBe(
    `tencent-mps has no valid credential from tke-oidc: STS AssumeRoleWithWebIdentity at ${new URL(emulator.url).host} answered InternalError`,
  );
  expect(holder.isReady()).toBe(false);
  for (const secret of [...secretsIn(emulator), 'the-oidc-token'])
    expect(JSON.stringify({ m: (error as Error).message, e: error })).not.toContain(secret);
});

test('lookups arriving together at the moment of expiry wait for one refresh', async () => {
  emulator.platform.setLifetime(2_000);
  const { client, holder } = await aliyun(emulator, rrsa(writeFile(dir, 'token', 'ack')), agent);
  await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
  const expiresAtMs = holder.state().expiresAtMs!;
  await until(() => Date.now() >= expiresAtMs, 'the credential to expire');
  await Promise.all(Array.from({ length: 20 }, () => client.getAIWorkflowTask(WORKFLOW_TASK_ID)));
  expect(emulator.platform.callCount({ service: 'sts' })).toBe(2);
  expect(emulator.calls().map((c) => c.outcome)).toEqual(Array(21).fill('ok'));
});
