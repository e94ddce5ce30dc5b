/**
 * Clients of both providers behind a credential holder, over real sockets to the emulator,
 * which plays both the provider APIs and the platform that issues credentials.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fetch from 'node-fetch';
import type { AlibabaCredentials, TencentCredentials } from '../../../src/config/index.js';
import { SEED, type RunningEmulator } from '../../../src/emulator/index.js';
import {
  chooseAlibabaSource,
  type AlibabaCredentialSettings,
  type ChooseDeps,
} from '../../../src/providers/alibaba/credentials.js';
import { createIceClient, randomNonce, type IceClient } from '../../../src/providers/alibaba/client.js';
import {
  createCredentialHolder,
  type CredentialHolder,
  type RefreshOutcome,
} from '../../../src/providers/credentials/holder.js';
import type { AgentChooser } from '../../../src/providers/http.js';
import { chooseTencentSource, type TencentCredentialSettings } from '../../../src/providers/tencent/credentials.js';
import { createMpsClient, type MpsClient } from '../../../src/providers/tencent/client.js';

export const IMAGE_TASK_ID = SEED.image.docExampleFinished;
export const WORKFLOW_TASK_ID = Object.values(SEED.workflow)[0]!;

export const NO_ALIBABA: AlibabaCredentialSettings = {
  static: null,
  rrsa: null,
  stsEndpoint: null,
  credentialsUri: null,
  credentialsFile: null,
  profile: 'default',
  ecsMetadataRole: null,
  metadataOrigin: null,
  imdsv1Disabled: false,
};

export const NO_TENCENT: TencentCredentialSettings = {
  static: null,
  tke: null,
  stsEndpoint: null,
  credentialsFile: null,
  cvmRole: null,
  metadataOrigin: null,
};

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'subgraph-creds-'));
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export function chooseDeps(agent: AgentChooser, homeDir: string): ChooseDeps {
  return {
    fetch,
    now: Date.now,
    readFile: (path) => readFile(path, 'utf8'),
    timeoutMs: 5_000,
    agent,
    homeDir,
    fileExists: (path) =>
      access(path).then(
        () => true,
        () => false,
      ),
  };
}

export interface Wired<Client, C> {
  readonly client: Client;
  readonly holder: CredentialHolder<C>;
  readonly refreshes: RefreshOutcome[];
}

export async function aliyun(
  emulator: RunningEmulator,
  settings: Partial<AlibabaCredentialSettings>,
  agent: AgentChooser,
  homeDir = tempDir(),
): Promise<Wired<IceClient, AlibabaCredentials>> {
  const deps = chooseDeps(agent, homeDir);
  const source = await chooseAlibabaSource({ ...NO_ALIBABA, ...settings }, deps);
  if (!source) throw new Error('no Alibaba source chosen');
  const refreshes: RefreshOutcome[] = [];
  const holder = createCredentialHolder({
    provider: 'alibaba-ice',
    source,
    now: Date.now,
    onRefresh: (r) => refreshes.push(r),
    backoff: { baseMs: 200, maxMs: 1_000 },
  });
  const client = createIceClient({
    fetch,
    now: Date.now,
    randomNonce,
    config: { endpoint: emulator.url, region: 'cn-shanghai', credentials: null },
    timeoutMs: 5_000,
    agent,
    credentials: holder,
  });
  return { client, holder, refreshes };
}

export async function tencent(
  emulator: RunningEmulator,
  settings: Partial<TencentCredentialSettings>,
  agent: AgentChooser,
  homeDir = tempDir(),
): Promise<Wired<MpsClient, TencentCredentials>> {
  const deps = chooseDeps(agent, homeDir);
  const source = await chooseTencentSource({ ...NO_TENCENT, ...settings }, deps);
  if (!source) throw new Error('no Tencent source chosen');
  const refreshes: RefreshOutcome[] = [];
  const holder = createCredentialHolder({
    provider: 'tencent-mps',
    source,
    now: Date.now,
    onRefresh: (r) => refreshes.push(r),
    backoff: { baseMs: 200, maxMs: 1_000 },
  });
  const client = createMpsClient({
    fetch,
    now: Date.now,
    config: { endpoint: emulator.url, credentials: null },
    timeoutMs: 5_000,
    agent,
    credentials: holder,
  });
  return { client, holder, refreshes };
}
