/**
 * Every credential source against the emulated platform over real sockets: the source
 * chosen from the vendors' variables, its credential accepted by the provider, the
 * platform calls it took, and failures that name the source and the reason, no secret.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CREDENTIALS_URI_PATH,
  CVM_ROLE_NAME,
  ECS_ROLE_NAME,
  EMULATOR_CREDENTIALS,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { chooseAlibabaSource } from '../../../src/providers/alibaba/credentials.js';
import { credentialsFileSource } from '../../../src/providers/alibaba/credentials-sources.js';
import { createCredentialHolder } from '../../../src/providers/credentials/holder.js';
import { ProviderError } from '../../../src/providers/errors.js';
import { createAgentChooser } from '../../../src/providers/http.js';
import { chooseTencentSource } from '../../../src/providers/tencent/credentials.js';
import {
  IMAGE_TASK_ID,
  NO_ALIBABA,
  NO_TENCENT,
  WORKFLOW_TASK_ID,
  aliyun,
  chooseDeps,
  tempDir,
  tencent,
  writeFile,
} from './harness.js';

let emulator: RunningEmulator;
const agent = createAgentChooser();
const dirs: string[] = [];
const dir = (): string => {
  const created = tempDir();
  dirs.push(created);
  return created;
};

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator.close();
  agent.destroy();
  for (const created of dirs) rmSync(created, { recursive: true, force: true });
});

afterEach(() => {
  emulator.platform.resetCalls();
  emulator.platform.acceptOidcTokens(null);
  for (const service of ['sts', 'credentials-uri', 'metadata'] as const) emulator.platform.setDown(service, false);
  emulator.resetCalls();
});

const RRSA = (tokenFile: string) => ({
  rrsa: {
    roleArn: 'acs:ram::1234567890:role/subgraph',
    oidcProviderArn: 'acs:ram::1234567890:oidc-provider/ack-rrsa',
    oidcTokenFile: tokenFile,
  },
});
const TKE = (tokenFile: string) => ({
  tke: {
    region: 'ap-guangzhou',
    providerId: 'tke-oidc-provider',
    webIdentityTokenFile: tokenFile,
    roleArn: 'qcs::cam::uin/100000000001:roleName/subgraph',
  },
});

async function failure(call: Promise<unknown>, secrets: readonly string[]): Promise<ProviderError> {
  const error = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (reason: unknown) => reason,
  );
  if (!(error instanceof ProviderError)) throw error;
  const visible = `${error.message}\n${JSON.stringify(error)}`;
  for (const secret of secrets) expect(visible).not.toContain(secret);
  return error;
}

describe('Alibaba sources', () => {
  test('RRSA: the token file for AssumeRoleWithOIDC at the configured STS endpoint, then signed lookups with the STS token', async () => {
    const tokenFile = writeFile(dir(), 'token', 'oidc-token-one\n');
    const { client, holder, refreshes } = await aliyun(
      emulator,
      { ...RRSA(tokenFile), stsEndpoint: emulator.url },
      agent,
    );
    // Who it acts as, for the Redis namespace: the role, whatever key id each refresh brings.
    expect(holder.identity).toBe('acs:ram::1234567890:role/subgraph');
    await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
    await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
    expect(emulator.platform.calls({ service: 'sts' }).map((c) => [c.action, c.oidcToken, c.outcome])).toEqual([
      ['AssumeRoleWithOIDC', 'oidc-token-one', 'ok'],
    ]);
    const [issued] = emulator.platform.issued('alibaba-ice');
    const iceCalls = emulator.calls();
    expect(iceCalls.map((c) => [c.outcome, c.headers['authorization']?.includes(`Credential=${issued!.id},`)])).toEqual(
      [
        ['ok', true],
        ['ok', true],
      ],
    );
    expect(refreshes.map((r) => [r.source, r.outcome])).toEqual([['rrsa-oidc', 'success']]);
    expect(refreshes[0]!.expiresAtMs).toBe(issued!.expiresAtMs);
  });

  test('RRSA: a token STS refuses fails the lookup naming the source and STS code, never the token', async () => {
    const tokenFile = writeFile(dir(), 'token', 'oidc-token-refused');
    emulator.platform.acceptOidcTokens(['another-token']);
    const { client } = await aliyun(emulator, { ...RRSA(tokenFile), stsEndpoint: emulator.url }, agent);
    const error = await failure(client.getAIWorkflowTask(WORKFLOW_TASK_ID), ['oidc-token-refused']);
    expect(error.kind).toBe('AUTH_FAILED');
    expect(error.message).toBe(
      `alibaba-ice has no valid credential from rrsa-oidc: STS AssumeRoleWithOIDC at ${new URL(emulator.url).host} answered HTTP 400 AuthenticationFail.OIDCToken.Invalid`,
    );
    expect(emulator.callCount()).toBe(0);
  });

  test('RRSA: a missing token file is named with its path', async () => {
    const missing = join(dir(), 'nope');
    const { client } = await aliyun(emulator, { ...RRSA(missing), stsEndpoint: emulator.url }, agent);
    const error = await failure(client.getAIWorkflowTask(WORKFLOW_TASK_ID), []);
    expect(error.message).toBe(
      `alibaba-ice has no valid credential from rrsa-oidc: cannot read the token file ${missing}: ENOENT`,
    );
  });

  test('credentials URI: one GET, then lookups with what it answered', async () => {
    const { client, holder } = await aliyun(
      emulator,
      { credentialsUri: `${emulator.url}${CREDENTIALS_URI_PATH}` },
      agent,
    );
    expect(holder.source).toBe('credentials-uri');
    await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
    expect(emulator.platform.calls().map((c) => [c.service, c.action, c.outcome])).toEqual([
      ['credentials-uri', 'GetCredentials', 'ok'],
    ]);
    expect(emulator.calls().map((c) => c.outcome)).toEqual(['ok']);
  });

  test('credentials file: ALIBABA_CLOUD_CREDENTIALS_FILE with a named profile', async () => {
    const { accessKeyId, accessKeySecret } = EMULATOR_CREDENTIALS.alibaba;
    const file = writeFile(
      dir(),
      'credentials',
      `[default]\ntype = access_key\naccess_key_id = LTAIwrong\naccess_key_secret = wrong\n\n[prod]\ntype = access_key\naccess_key_id = ${accessKeyId}\naccess_key_secret = ${accessKeySecret}\n`,
    );
    const { client, holder } = await aliyun(emulator, { credentialsFile: file, profile: 'prod' }, agent);
    expect(holder.source).toBe('credentials-file');
    await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
    expect(emulator.calls().map((c) => c.outcome)).toEqual(['ok']);
  });

  test('credentials file: ~/.alibabacloud/credentials is used when it exists and nothing else is set', async () => {
    const { accessKeyId, accessKeySecret } = EMULATOR_CREDENTIALS.alibaba;
    const home = dir();
    const folder = join(home, '.alibabacloud');
    mkdirSync(folder);
    writeFile(
      folder,
      'credentials',
      `[default]\naccess_key_id = ${accessKeyId}\naccess_key_secret = ${accessKeySecret}\n`,
    );
    const { client, holder } = await aliyun(emulator, {}, agent, home);
    expect(holder.source).toBe('credentials-file');
    await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
    expect(emulator.calls().map((c) => c.outcome)).toEqual(['ok']);
  });

  test('ECS RAM role: IMDSv2 token first, the role name, its credential', async () => {
    const { client, holder } = await aliyun(emulator, { ecsMetadataRole: 'auto', metadataOrigin: emulator.url }, agent);
    expect(holder.source).toBe('ecs-ram-role');
    await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
    expect(emulator.platform.calls().map((c) => [c.service, c.action, c.outcome])).toEqual([
      ['metadata', 'MetadataToken', 'ok'],
      ['metadata', 'RoleName', 'ok'],
      ['metadata', 'RoleCredentials', 'ok'],
    ]);
    expect(emulator.calls().map((c) => c.outcome)).toEqual(['ok']);
  });

  test('ECS RAM role: a named role skips the role-name read', async () => {
    const { client } = await aliyun(emulator, { ecsMetadataRole: ECS_ROLE_NAME, metadataOrigin: emulator.url }, agent);
    await client.getAIWorkflowTask(WORKFLOW_TASK_ID);
    expect(emulator.platform.calls().map((c) => c.action)).toEqual(['MetadataToken', 'RoleCredentials']);
  });

  test('ECS RAM role: metadata down with IMDSv1 disabled fails naming the metadata service', async () => {
    emulator.platform.setDown('metadata', true);
    const { client } = await aliyun(
      emulator,
      { ecsMetadataRole: 'auto', metadataOrigin: emulator.url, imdsv1Disabled: true },
      agent,
    );
    const error = await failure(client.getAIWorkflowTask(WORKFLOW_TASK_ID), []);
    expect(error.message).toBe(
      `alibaba-ice has no valid credential from ecs-ram-role: the ECS metadata service at ${new URL(emulator.url).host}: no IMDSv2 token (HTTP 503) and IMDSv1 is disabled`,
    );
  });
});

describe('Tencent sources', () => {
  test('TKE: the web identity token for AssumeRoleWithWebIdentity, then lookups carrying the token as X-TC-Token', async () => {
    const tokenFile = writeFile(dir(), 'token', 'tke-token-one');
    const { client, holder } = await tencent(emulator, { ...TKE(tokenFile), stsEndpoint: emulator.url }, agent);
    expect(holder.source).toBe('tke-oidc');
    await client.describeImageTaskDetail(IMAGE_TASK_ID);
    const sts = emulator.platform.calls({ service: 'sts' });
    expect(sts.map((c) => [c.provider, c.action, c.oidcToken, c.outcome])).toEqual([
      ['tencent-mps', 'AssumeRoleWithWebIdentity', 'tke-token-one', 'ok'],
    ]);
    const [call] = emulator.calls();
    expect(call!.outcome).toBe('ok');
    expect(call!.headers['x-tc-token']).toMatch(/^emu-tc-token-/);
  });

  test('TKE: a refused token names the source and the STS code', async () => {
    const tokenFile = writeFile(dir(), 'token', 'tke-token-refused');
    emulator.platform.acceptOidcTokens([]);
    const { client } = await tencent(emulator, { ...TKE(tokenFile), stsEndpoint: emulator.url }, agent);
    const error = await failure(client.describeImageTaskDetail(IMAGE_TASK_ID), ['tke-token-refused']);
    expect(error.message).toBe(
      `tencent-mps has no valid credential from tke-oidc: STS AssumeRoleWithWebIdentity at ${new URL(emulator.url).host} answered InvalidParameter.WebIdentityTokenError`,
    );
  });

  test('credentials file: secret_id and secret_key from [default]', async () => {
    const { secretId, secretKey } = EMULATOR_CREDENTIALS.tencent;
    const file = writeFile(dir(), 'credentials', `[default]\nsecret_id = ${secretId}\nsecret_key = ${secretKey}\n`);
    const { client, holder } = await tencent(emulator, { credentialsFile: file }, agent);
    expect(holder.source).toBe('credentials-file');
    await client.describeImageTaskDetail(IMAGE_TASK_ID);
    expect(emulator.calls().map((c) => c.outcome)).toEqual(['ok']);
  });

  test('CVM role: the role name, then its credential', async () => {
    const { client, holder } = await tencent(emulator, { cvmRole: 'auto', metadataOrigin: emulator.url }, agent);
    expect(holder.source).toBe('cvm-role');
    await client.describeImageTaskDetail(IMAGE_TASK_ID);
    expect(emulator.platform.calls().map((c) => [c.service, c.action, c.outcome])).toEqual([
      ['metadata', 'RoleName', 'ok'],
      ['metadata', 'RoleCredentials', 'ok'],
    ]);
    const named = await tencent(emulator, { cvmRole: CVM_ROLE_NAME, metadataOrigin: emulator.url }, agent);
    await named.client.describeImageTaskDetail(IMAGE_TASK_ID);
    expect(emulator.calls().map((c) => c.outcome)).toEqual(['ok', 'ok']);
  });
});

describe('the start-up choice', () => {
  const deps = () => chooseDeps(agent, dir());

  test('static keys first, then the pod identity, then files, and instance metadata only when asked for', async () => {
    const tokenFile = writeFile(dir(), 'token', 't');
    const file = writeFile(dir(), 'credentials', '[default]\naccess_key_id=a\naccess_key_secret=b\n');
    const everything = {
      ...NO_ALIBABA,
      ...RRSA(tokenFile),
      credentialsUri: 'http://127.0.0.1:1/creds',
      credentialsFile: file,
      ecsMetadataRole: 'auto',
    };
    expect(
      (await chooseAlibabaSource({ ...everything, static: { accessKeyId: 'a', accessKeySecret: 'b' } }, deps()))?.name,
    ).toBe('env');
    expect((await chooseAlibabaSource(everything, deps()))?.name).toBe('rrsa-oidc');
    expect((await chooseAlibabaSource({ ...everything, rrsa: null }, deps()))?.name).toBe('credentials-uri');
    expect((await chooseAlibabaSource({ ...everything, rrsa: null, credentialsUri: null }, deps()))?.name).toBe(
      'credentials-file',
    );
    expect((await chooseAlibabaSource({ ...NO_ALIBABA, ecsMetadataRole: 'auto' }, deps()))?.name).toBe('ecs-ram-role');
    expect(await chooseAlibabaSource(NO_ALIBABA, deps())).toBeNull();

    const tke = { ...NO_TENCENT, ...TKE(tokenFile), credentialsFile: file, cvmRole: 'auto' };
    expect((await chooseTencentSource({ ...tke, static: { secretId: 'a', secretKey: 'b' } }, deps()))?.name).toBe(
      'env',
    );
    // The pod's own identity wins over the node's role (the vendor SDK's chain has it the other way round).
    expect((await chooseTencentSource(tke, deps()))?.name).toBe('tke-oidc');
    expect((await chooseTencentSource({ ...tke, tke: null }, deps()))?.name).toBe('credentials-file');
    expect((await chooseTencentSource({ ...NO_TENCENT, cvmRole: 'auto' }, deps()))?.name).toBe('cvm-role');
    expect(await chooseTencentSource(NO_TENCENT, deps())).toBeNull();
  });
});

describe("a secret manager's mounted file", () => {
  test('a rewritten file is read again once its recheck time has come, and the new keys sign from then on', async () => {
    const { accessKeyId, accessKeySecret } = EMULATOR_CREDENTIALS.alibaba;
    const file = writeFile(
      dir(),
      'credentials',
      '[default]\naccess_key_id = LTAIold\naccess_key_secret = old-secret\n',
    );
    let now = Date.parse('2026-12-04T12:00:00Z');
    const deps = { ...chooseDeps(agent, dir()), now: () => now };
    const source = credentialsFileSource({ path: file, profile: 'default', recheckMs: 60_000 }, deps);
    let reads = 0;
    let reread: () => void = () => undefined;
    const secondRead = new Promise<void>((resolve) => (reread = resolve));
    const holder = createCredentialHolder({
      provider: 'alibaba-ice',
      source,
      now: () => now,
      onRefresh: () => {
        reads += 1;
        if (reads === 2) reread();
      },
    });
    expect((await holder.current()).accessKeyId).toBe('LTAIold');
    writeFileSync(file, `[default]\naccess_key_id = ${accessKeyId}\naccess_key_secret = ${accessKeySecret}\n`);
    now += 59_999;
    expect((await holder.current()).accessKeyId).toBe('LTAIold');
    now += 1;
    // The held keys sign this one; the re-read runs behind it.
    expect((await holder.current()).accessKeyId).toBe('LTAIold');
    await secondRead;
    expect(await holder.current()).toEqual({ accessKeyId, accessKeySecret });
    expect(reads).toBe(2);
    expect(holder.state().expiresAtMs).toBeNull();
  });
});
