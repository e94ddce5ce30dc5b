/**
 * Deployments on one Redis, through the whole app: a replica answering from its built-in
 * emulator and a "real" one (an emulator on its own endpoint, with its own key pair, standing in
 * for the provider) on the same REDIS_URL with the default prefix never read each other's
 * answers; replicas of one deployment still share. And whatever is read back from Redis is
 * checked: an entry of the wrong shape is dropped and answered by the provider, never an
 * INTERNAL_SERVER_ERROR. Counted from the stand-in's call log and /metrics.
 */
import { Redis } from 'ioredis';
import { SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { sharedKeys } from '../../src/upstream/shared/keys.js';
import { deploymentNamespace } from '../../src/upstream/shared/namespace.js';
import { startAppReplica, type AppReplica } from '../support/app-replica.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

const STAND_IN = {
  secretId: 'AKIDSTANDINFORTHEREALPROVIDER0001',
  secretKey: 'stand-in-real-provider-secret-key-77',
} as const;
const VALUE_KEY = 'e2e-redis-value-key-0123456789abcdefghij';
const ONE = 'query One($id: ID!) { imageTask(taskId: $id) { taskId state results { output { signedUrl } } } }';
const TASK = SEED.image.finishedSuccess;

interface Answer {
  data?: {
    imageTask?: {
      taskId: string;
      state: string;
      results: Array<{ output: { signedUrl: string | null } | null }>;
    } | null;
  } | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

interface Replica extends AppReplica {
  ask(taskId: string): Promise<Answer>;
}

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const replica = await startAppReplica(env);
  return {
    ...replica,
    ask: async (taskId) => JSON.parse((await replica.post({ query: ONE, variables: { id: taskId } })).text) as Answer,
  };
}

describe('deployments on one Redis', () => {
  let redis: RedisServer;
  let raw: Redis;
  let provider: RunningEmulator;
  const running: Replica[] = [];

  beforeAll(async () => {
    redis = await startRedisServer({ password: 'deployments-redis-password' });
    raw = new Redis(redis.url);
    provider = await startEmulator({ tencentCredentials: [STAND_IN] });
  });
  afterAll(async () => {
    await Promise.all(running.splice(0).map((replica) => replica.stop()));
    await provider.close();
    await raw.quit();
    await redis.stop();
  });
  beforeEach(async () => {
    await Promise.all(running.splice(0).map((replica) => replica.stop()));
    await raw.flushall();
    provider.resetCalls();
  });

  const emulatorReplica = async (): Promise<Replica> => {
    const replica = await startReplica({ EMULATOR: 'on', REDIS_URL: redis.url });
    running.push(replica);
    return replica;
  };
  const realReplica = async (env: Record<string, string> = {}): Promise<Replica> => {
    const replica = await startReplica({
      EMULATOR: 'off',
      TENCENTCLOUD_SECRET_ID: STAND_IN.secretId,
      TENCENTCLOUD_SECRET_KEY: STAND_IN.secretKey,
      MPS_ENDPOINT: provider.url,
      REDIS_URL: redis.url,
      ...env,
    });
    running.push(replica);
    return replica;
  };
  const realTaskKey = (taskId: string): string =>
    sharedKeys(
      'media-task-subgraph:',
      'tencent-mps',
      deploymentNamespace({
        provider: 'tencent-mps',
        endpoint: provider.url,
        keyId: STAND_IN.secretId,
        emulator: false,
      }),
    ).task(taskId);

  it("keeps an emulator replica's answers from a real replica, which makes its own call, while real replicas share theirs", async () => {
    const emulated = await emulatorReplica();
    const real = await realReplica();
    const secondReal = await realReplica();
    expect(emulated.app.providers['tencent-mps']).toBe('emulator');
    expect(real.app.providers['tencent-mps']).toBe('credentials');

    expect((await emulated.ask(TASK)).data?.imageTask?.state).toBe('SUCCEEDED');
    expect(provider.callCount({ taskId: TASK })).toBe(0);
    expect((await real.ask(TASK)).data?.imageTask?.state).toBe('SUCCEEDED');
    expect(provider.callCount({ taskId: TASK })).toBe(1);
    // The same client of the same provider: answered from Redis.
    expect((await secondReal.ask(TASK)).data?.imageTask?.state).toBe('SUCCEEDED');
    expect(provider.callCount({ taskId: TASK })).toBe(1);
    expect(await secondReal.metrics()).toMatch(/^upstream_shared_cache_hits_total\{provider="tencent-mps"\} 1$/m);

    // Two namespaces' entries and quotas, none naming the key id or the endpoint.
    const keys = await raw.keys('*');
    const taskKeys = keys.filter((key) => key.includes(':task:'));
    expect(taskKeys.length).toBe(2);
    expect(keys.filter((key) => key.includes('quota:tencent-mps:')).length).toBe(2);
    for (const key of keys) {
      expect(key).not.toContain(STAND_IN.secretId);
      expect(key).not.toContain(String(new URL(provider.url).port));
    }
  });

  it('drops an entry of the wrong shape and answers from the provider instead of failing', async () => {
    const real = await realReplica();
    await raw.set(realTaskKey(TASK), JSON.stringify({ ok: true, value: {} }), 'PX', 60_000);
    const answer = await real.ask(TASK);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.imageTask?.state).toBe('SUCCEEDED');
    expect(provider.callCount({ taskId: TASK })).toBe(1);
    expect(await real.metrics()).toMatch(/^redis_values_dropped_total\{provider="tencent-mps",reason="shape"\} 1$/m);
    expect(real.logs.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
  });

  it('refuses, with REDIS_VALUE_KEY set, an entry whose signedUrl was rewritten in Redis, and serves the genuine one', async () => {
    const writer = await realReplica({ REDIS_VALUE_KEY: VALUE_KEY });
    const genuine = (await writer.ask(TASK)).data?.imageTask?.results[0]?.output?.signedUrl;
    expect(genuine).toMatch(/^https:\/\//);
    const stored = (await raw.get(realTaskKey(TASK)))!;
    const host = new URL(genuine!).host;
    expect(stored).toContain(host);
    await raw.set(realTaskKey(TASK), stored.split(host).join('attacker.example'), 'PX', 60_000);

    const reader = await realReplica({ REDIS_VALUE_KEY: VALUE_KEY });
    const answer = await reader.ask(TASK);
    expect(answer.errors).toBeUndefined();
    // The provider's own answer (signed afresh, so only its host is compared).
    const fresh = answer.data?.imageTask?.results[0]?.output?.signedUrl;
    expect(new URL(fresh!).host).toBe(host);
    expect(provider.callCount({ taskId: TASK })).toBe(2);
    expect(await reader.metrics()).toMatch(
      /^redis_values_dropped_total\{provider="tencent-mps",reason="signature"\} 1$/m,
    );
    // The answer that replaced the forged entry is served to the next replica from Redis.
    const third = await realReplica({ REDIS_VALUE_KEY: VALUE_KEY });
    expect((await third.ask(TASK)).data?.imageTask?.results[0]?.output?.signedUrl).toBe(fresh);
    expect(provider.callCount({ taskId: TASK })).toBe(2);
    for (const replica of [writer, reader, third]) expect(replica.logs.join('\n')).not.toContain(VALUE_KEY);
  });

  it('serves, without REDIS_VALUE_KEY, a forged entry of the right shape: the MAC is what refuses those', async () => {
    const writer = await realReplica();
    const genuine = (await writer.ask(TASK)).data?.imageTask?.results[0]?.output?.signedUrl;
    const stored = (await raw.get(realTaskKey(TASK)))!;
    const host = new URL(genuine!).host;
    await raw.set(realTaskKey(TASK), stored.split(host).join('attacker.example'), 'PX', 60_000);
    const reader = await realReplica();
    expect((await reader.ask(TASK)).data?.imageTask?.results[0]?.output?.signedUrl).toContain('attacker.example');
    expect(provider.callCount({ taskId: TASK })).toBe(1);
  });
});
