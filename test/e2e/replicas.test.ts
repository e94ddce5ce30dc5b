/**
 * Three real subgraph processes (`node dist/index.js`) behind no router, on one provider
 * emulator and one real redis-server: toward the provider they must behave like one process.
 * Everything is counted from the emulator's call log (arrival times are the provider's clock),
 * never timed.
 */
import fetch from 'node-fetch';
import { EMULATOR_CREDENTIALS, SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { busiestWindow } from '../../support/arrivals.js';
import { buildDist, emulatorEnv, readyUrl, spawnSubgraph, type SubgraphProcess } from '../support/process.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

const REDIS_PASSWORD = 'e2e-redis-password-5150';
const RPS = 50;

interface Answer {
  data?: { imageTasks?: Array<{ taskId: string } | null>; imageTask?: { state: string } | null } | null;
  errors?: Array<{ extensions?: { code?: string } }>;
}

async function post(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  requestId?: string,
): Promise<Answer> {
  const headers = { 'content-type': 'application/json', ...(requestId !== undefined && { 'x-request-id': requestId }) };
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as Answer;
}

/** The request's log line; logs are written asynchronously, so it may take a moment to appear. */
async function lineOf(replica: SubgraphProcess, requestId: string): Promise<Record<string, unknown> | undefined> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const line = replica
      .logLines()
      .find((entry) => entry['msg'] === 'graphql request' && entry['requestId'] === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

const LIST = 'query List($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }';
const ONE = 'query One($id: ID!) { imageTask(taskId: $id) { state } }';

/** Codes other than NOT_FOUND (unknown ids are answered NOT_FOUND by the emulator, which is an answer). */
const failures = (answers: readonly Answer[]): string[] =>
  answers
    .flatMap((answer) => (answer.errors ?? []).map((error) => error.extensions?.code ?? '?'))
    .filter((code) => code !== 'NOT_FOUND');

const ids = (tag: string, count: number): string[] =>
  Array.from({ length: count }, (_, index) => `2400${tag}-WorkflowTask-${String(index).padStart(6, '0')}`);

describe('three replicas, one emulator, one redis-server', () => {
  let redis: RedisServer;
  let emulator: RunningEmulator;
  let replicas: SubgraphProcess[] = [];
  let urls: string[] = [];

  const tencentCalls = (): number[] =>
    emulator
      .calls()
      .filter((call) => call.provider === 'tencent-mps')
      .map((call) => call.receivedAt);
  const countFor = (taskId: string): number => emulator.callCount({ taskId });

  beforeAll(async () => {
    buildDist();
    redis = await startRedisServer({ password: REDIS_PASSWORD });
    emulator = await startEmulator({ host: '127.0.0.1' });
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...emulatorEnv(emulator.url),
      REDIS_URL: redis.url,
      REDIS_LEASE_MS: '1000',
      REDIS_FALLBACK_RPS_SHARE: '0.33',
      MPS_RATE_LIMIT_RPS: String(RPS),
      REQUEST_DEADLINE_MS: '30000',
      // Whole responses would hide the tiers below.
      RESPONSE_CACHE_MAX_BYTES: '0',
    };
    replicas = [spawnSubgraph(env), spawnSubgraph(env), spawnSubgraph(env)];
    urls = await Promise.all(replicas.map((replica) => readyUrl(replica)));
  }, 60_000);

  afterAll(async () => {
    for (const replica of replicas) replica.kill();
    await emulator?.close();
    await redis?.stop();
    // No secret in any log line: the Redis password (inside REDIS_URL) and the provider keys.
    for (const replica of replicas) {
      const logs = replica.stdout() + replica.stderr();
      for (const secret of [
        REDIS_PASSWORD,
        EMULATOR_CREDENTIALS.tencent.secretKey,
        EMULATOR_CREDENTIALS.alibaba.accessKeySecret,
      ])
        expect(logs).not.toContain(secret);
    }
  });

  beforeEach(() => emulator.resetCalls());

  it('makes exactly one provider call for concurrent requests for one uncached task on every replica', async () => {
    emulator.injectFault({ taskId: SEED.image.finishedSuccess }, { kind: 'latency', latencyMs: 300 });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, index) => post(urls[index % 3]!, ONE, { id: SEED.image.finishedSuccess })),
    );
    emulator.clearFaults();
    expect(answers.map((answer) => answer.data?.imageTask?.state)).toEqual(Array(12).fill('SUCCEEDED'));
    expect(countFor(SEED.image.finishedSuccess)).toBe(1);
  });

  it('answers a finished task fetched on one replica from the shared cache on the others', async () => {
    const id = SEED.image.finishedPartial;
    await post(urls[0]!, ONE, { id });
    const before = countFor(id);
    await post(urls[1]!, ONE, { id });
    await post(urls[2]!, ONE, { id }, 'shared-cache-hit');
    expect(countFor(id) - before).toBe(0);
    expect((await lineOf(replicas[2]!, 'shared-cache-hit'))?.['upstream']).toMatchObject({
      calls: 0,
      cacheHits: 0,
      sharedCacheHits: 1,
    });
  });

  it('sends 300 distinct ids over all replicas as 300 calls, never more than the budget in a second of arrivals', async () => {
    const all = ids('01', 300);
    const batches = Array.from({ length: 15 }, (_, index) => all.slice(index * 20, index * 20 + 20));
    const answers = await Promise.all(batches.map((batch, index) => post(urls[index % 3]!, LIST, { ids: batch })));
    expect(failures(answers)).toEqual([]);
    expect(emulator.callCount({ provider: 'tencent-mps' })).toBe(300);
    expect(busiestWindow(tencentCalls())).toBeLessThanOrEqual(RPS);
  }, 60_000);

  it('answers every request while Redis is killed mid-run, keeps to the fallback share, and shares again once Redis is back', async () => {
    const all = ids('02', 150);
    const batches = Array.from({ length: 15 }, (_, index) => all.slice(index * 10, index * 10 + 10));
    const load = Promise.all(batches.map((batch, index) => post(urls[index % 3]!, LIST, { ids: batch })));
    await new Promise((resolve) => setTimeout(resolve, 700));
    await redis.kill();
    const answers = await load;
    expect(failures(answers)).toEqual([]);
    expect(emulator.callCount({ provider: 'tencent-mps' })).toBe(150);
    expect(busiestWindow(tencentCalls())).toBeLessThanOrEqual(RPS);
    // One warning per replica for the transition, not one per request.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const replica of replicas)
      expect(replica.logLines().filter((line) => String(line['msg']).startsWith('redis unavailable')).length).toBe(1);

    await redis.restart();
    // Each replica finds Redis again on its next lookup after the client has reconnected.
    const metricsUp = async (url: string): Promise<boolean> =>
      (await (await fetch(new URL('/metrics', url))).text()).includes('redis_up 1');
    for (let attempt = 0; attempt < 40; attempt += 1) {
      await Promise.all(urls.map((url, index) => post(url, ONE, { id: `probe-${attempt}-${index}` })));
      if ((await Promise.all(urls.map(metricsUp))).every(Boolean)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await Promise.all(urls.map(metricsUp))).toEqual([true, true, true]);
    // A task no replica has seen: one call, then the shared cache (a NOT_FOUND is shared too).
    const id = ids('04', 1)[0]!;
    for (const url of urls) expect(failures([await post(url, ONE, { id })])).toEqual([]);
    expect(countFor(id)).toBe(1);
  }, 60_000);

  it('lets another replica answer when the lease holder is killed mid-call', async () => {
    const id = ids('03', 1)[0]!;
    emulator.injectFault({ taskId: id }, { kind: 'hang', times: 1 });
    const doomed = post(urls[0]!, ONE, { id }).catch(() => null);
    for (let attempt = 0; attempt < 100 && countFor(id) === 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(countFor(id)).toBe(1);
    replicas[0]!.kill();
    await replicas[0]!.exited;
    const answer = await post(urls[1]!, ONE, { id }, 'after-lease-holder-died');
    await doomed;
    // Answered (NOT_FOUND is the emulator's answer for an unknown id), by a second call once the lease expired.
    expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(countFor(id)).toBe(2);
    expect((await lineOf(replicas[1]!, 'after-lease-holder-died'))?.['upstream']).toMatchObject({
      calls: 1,
      sharedInFlight: 1,
    });
  }, 30_000);
});
