import fetch from 'node-fetch';
import { CREDENTIAL_VARIABLES, loadConfig } from '../../src/config/index.js';
import {
  EMULATOR_CREDENTIALS,
  SEED,
  startEmulator,
  subgraphEnvFor,
  type RunningEmulator,
} from '../../src/emulator/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AppConfig } from '../../src/config/index.js';
import { startCredentials, type AppCredentials } from '../../src/providers/credentials/start.js';
import { PROVIDER_LIST, PROVIDERS, taskSources, type ClientDeps } from '../../src/providers/registry.js';
import type { TaskSource } from '../../src/sources/task-source.js';

let nonces = 0;
const deps: ClientDeps = {
  fetch,
  now: Date.now,
  randomNonce: () => `registry-test-nonce-${(nonces += 1)}`,
  timeoutMs: 5_000,
};
// An empty home: a credentials file of the machine's user must not count as configured here.
const home = mkdtempSync(join(tmpdir(), 'registry-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function credentialsOf(config: AppConfig): Promise<AppCredentials> {
  return startCredentials(config.credentialSources, {
    fetch,
    now: Date.now,
    logger: pino({ level: 'silent' }),
    timeoutMs: 5_000,
    homeDir: home,
  });
}

describe('the provider registry', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('lists each provider once, under its own name, in the order of PROVIDERS', () => {
    expect(PROVIDER_LIST.map((provider) => provider.name)).toEqual(['tencent-mps', 'alibaba-ice']);
    expect(PROVIDER_LIST).toEqual(Object.values(PROVIDERS));
    for (const [name, provider] of Object.entries(PROVIDERS)) expect(provider.name).toBe(name);
  });

  it('maps each name to the outside names it keeps: config section, field, entity, action, variables, log field', () => {
    expect(
      PROVIDER_LIST.map(({ configKey, field, entity, action, logField, sampleKind }) => ({
        configKey,
        field,
        entity,
        action,
        logField,
        sampleKind,
      })),
    ).toEqual([
      {
        configKey: 'tencent',
        field: 'imageTask',
        entity: 'ImageTask',
        action: 'DescribeImageTaskDetail',
        logField: 'mps',
        sampleKind: 'image',
      },
      {
        configKey: 'alibaba',
        field: 'workflowTask',
        entity: 'WorkflowTask',
        action: 'GetAIWorkflowTask',
        logField: 'ice',
        sampleKind: 'workflow',
      },
    ]);
    for (const provider of PROVIDER_LIST)
      expect(provider.credentialVariables).toEqual(CREDENTIAL_VARIABLES[provider.configKey]);
  });

  it('reads each rate from its own variable', () => {
    const upstream = loadConfig({ MPS_RATE_LIMIT_RPS: '7', ICE_RATE_LIMIT_RPS: '11' }).upstream;
    expect(PROVIDER_LIST.map((provider) => provider.ratePerSecond(upstream))).toEqual([7, 11]);
  });

  it("puts the source built for each provider under that provider's field, building them in list order", () => {
    const built: string[] = [];
    const sources = taskSources(<T>(provider: { readonly name: string }): TaskSource<T> => {
      built.push(provider.name);
      const source: TaskSource<T> = () => Promise.reject(new Error(provider.name));
      return source;
    });
    expect(built).toEqual(['tencent-mps', 'alibaba-ice']);
    return Promise.all(
      PROVIDER_LIST.map(async (provider) => {
        await expect(sources[provider.field]('any')).rejects.toThrow(provider.name);
      }),
    );
  });

  it('connects nothing without credentials or an emulator', async () => {
    const config = loadConfig({});
    const credentials = await credentialsOf(config);
    expect(
      PROVIDER_LIST.map((provider) => [
        provider.hasCredentials(credentials),
        provider.connect(config, deps, null, credentials),
      ]),
    ).toEqual([
      [false, null],
      [false, null],
    ]);
  });

  it("connects a provider without credentials to the emulator target, with the emulator's keys, and reads a task through it", async () => {
    const config = loadConfig({});
    const credentials = await credentialsOf(config);
    const target = { url: emulator.url, credentials: EMULATOR_CREDENTIALS };
    const [image, workflow] = PROVIDER_LIST.map((provider) => provider.connect(config, deps, target, credentials));
    expect([image?.endpoint, workflow?.endpoint]).toEqual([emulator.url, emulator.url]);
    expect(await image?.source(SEED.image.finishedSuccess)).toMatchObject({
      taskId: SEED.image.finishedSuccess,
      terminal: true,
    });
    expect(await workflow?.source(SEED.workflow.succeeded)).toMatchObject({
      taskId: SEED.workflow.succeeded,
      terminal: true,
    });
  });

  it("prefers a provider's own credentials and endpoint to the emulator", async () => {
    const env = subgraphEnvFor(emulator.url);
    const config = loadConfig({ ...env.tencent, ...env.alibaba });
    const elsewhere = { url: 'http://127.0.0.1:9', credentials: EMULATOR_CREDENTIALS };
    const credentials = await credentialsOf(config);
    emulator.resetCalls();
    const connections = PROVIDER_LIST.map((provider) => provider.connect(config, deps, elsewhere, credentials));
    expect(PROVIDER_LIST.map((provider) => provider.hasCredentials(credentials))).toEqual([true, true]);
    expect(connections.map((connection) => connection?.endpoint)).toEqual([emulator.url, emulator.url]);
    await connections[0]?.source(SEED.image.finishedSuccess);
    await connections[1]?.source(SEED.workflow.succeeded);
    expect(emulator.calls().map((call) => call.provider)).toEqual(['tencent-mps', 'alibaba-ice']);
  });
});
