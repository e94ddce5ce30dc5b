/**
 * The subgraph as a real process (`node dist/index.js`) under load, for what only a process
 * shows: SIGTERM while requests are in flight (every request answered in full, each with its
 * log line, exit 0), and a log pipe that dies mid-load (the service keeps answering and still
 * exits 0 on SIGTERM). Providers are the emulator in this process, slowed so requests overlap.
 */
import http from 'node:http';
import fetch from 'node-fetch';
import { SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { buildDist, readyUrl, spawnSubgraph, type SubgraphProcess } from '../support/process.js';
import { AUTH_HEADERS, BASE_ENV, RELIABILITY_CREDENTIALS, SIZES, containsSecret } from './support.js';

/** Clients sending at once. */
const CONCURRENCY = SIZES.faultConcurrency;
/** Answers to wait for before SIGTERM / before the log pipe is closed. */
const WARM_UP = SIZES.faultRequests;
/** Every provider call waits this long, so a SIGTERM always finds requests in flight. */
const UPSTREAM_LATENCY_MS = 200;
/** A hang fails the run instead of stalling it; nothing asserts how long anything took. */
const HANG_MS = 30_000;

const IDS = [SEED.image.finishedSuccess, SEED.image.finishedSuccess, SEED.image.processing, SEED.image.waiting];
const QUERY = 'query One($id: ID!) { imageTask(taskId: $id) { taskId state } }';

interface Outcome {
  readonly requestId: string;
  /** 'ok' for a 200 with the task and no errors; otherwise what went wrong. */
  readonly result: string;
}

function childEnv(emulator: RunningEmulator, extra: Record<string, string>): Record<string, string> {
  const tencent = RELIABILITY_CREDENTIALS.tencentCredentials![0]!;
  const alibaba = RELIABILITY_CREDENTIALS.alibabaCredentials![0]!;
  return {
    ...BASE_ENV,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    TENCENTCLOUD_SECRET_ID: tencent.secretId,
    TENCENTCLOUD_SECRET_KEY: tencent.secretKey,
    TENCENTCLOUD_SESSION_TOKEN: tencent.token!,
    MPS_ENDPOINT: emulator.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: alibaba.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: alibaba.accessKeySecret,
    ALIBABA_CLOUD_SECURITY_TOKEN: alibaba.securityToken!,
    ICE_ENDPOINT: emulator.url,
    // Every request goes to the (slow) provider: nothing is answered from a cache.
    CACHE_MAX_ENTRIES: '0',
    MPS_RATE_LIMIT_RPS: '1000000',
    ICE_RATE_LIMIT_RPS: '1000000',
    ...extra,
  };
}

/** One GraphQL request with its own request id; never throws, the outcome says what happened. */
async function ask(url: string, agent: http.Agent, requestId: string, index: number): Promise<Outcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...AUTH_HEADERS },
      body: JSON.stringify({ query: QUERY, variables: { id: IDS[index % IDS.length] } }),
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await response.text();
    if (containsSecret(text)) return { requestId, result: 'secret in answer' };
    const body = JSON.parse(text) as { data?: { imageTask?: { taskId?: string } | null }; errors?: unknown[] };
    const ok =
      response.status === 200 && body.errors === undefined && body.data?.imageTask?.taskId === IDS[index % IDS.length];
    return { requestId, result: ok ? 'ok' : `HTTP ${response.status}: ${text.slice(0, 120)}` };
  } catch (error) {
    return { requestId, result: `no answer: ${(error as { code?: string }).code ?? (error as Error).message}` };
  }
}

/**
 * `CONCURRENCY` clients asking one request after another until `keepGoing` says stop (checked
 * before each new request: what has been sent is always waited for).
 */
function load(url: string, prefix: string, keepGoing: () => boolean): { outcomes: Outcome[]; done: Promise<void> } {
  const outcomes: Outcome[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const client = async (): Promise<void> => {
    while (keepGoing()) {
      const index = next;
      next += 1;
      outcomes.push(await ask(url, agent, `${prefix}-${index}`, index));
    }
  };
  const done = Promise.all(Array.from({ length: CONCURRENCY }, client)).then(() => agent.destroy());
  return { outcomes, done };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function requestLogIds(subgraph: SubgraphProcess): string[] {
  return subgraph
    .logLines()
    .filter((line) => line['msg'] === 'graphql request')
    .map((line) => String(line['requestId']));
}

function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { result } of outcomes) counts[result] = (counts[result] ?? 0) + 1;
  return counts;
}

describe('reliability: the process', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    buildDist();
    emulator = await startEmulator(RELIABILITY_CREDENTIALS);
    emulator.injectFault({}, { kind: 'latency', latencyMs: UPSTREAM_LATENCY_MS });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('SIGTERM under load: every request sent is answered in full and logged once, then exit 0', async () => {
    const subgraph = spawnSubgraph(childEnv(emulator, { SHUTDOWN_DELAY_MS: '1500' }));
    try {
      const url = await readyUrl(subgraph);
      // Clients stop sending once /ready says 503, as a load balancer would.
      let sending = true;
      const { outcomes, done } = load(url, 'term', () => sending);
      await until(() => outcomes.length >= WARM_UP);
      const answeredBeforeSigterm = outcomes.length;

      subgraph.child.kill('SIGTERM');
      let probes = 0;
      for (;;) {
        probes += 1;
        const status = (await fetch(new URL('/ready', url), { agent: new http.Agent({ keepAlive: false }) })).status;
        if (status === 503) break;
      }
      sending = false;
      await done;
      const exitCode = await subgraph.exited;

      const logged = requestLogIds(subgraph);
      const loggedOnce = new Set(logged);
      const sent = outcomes.map((outcome) => outcome.requestId);
      const figures = {
        sent: sent.length,
        answeredBeforeSigterm,
        answeredAfterSigterm: sent.length - answeredBeforeSigterm,
        outcomes: tally(outcomes),
        requestLogLines: logged.length,
        sentWithoutLogLine: sent.filter((id) => !loggedOnce.has(id)).length,
        readyProbesUntil503: probes,
        exitCode,
      };
      process.stdout.write(`[reliability] SIGTERM under load: ${JSON.stringify(figures)}\n`);

      expect(tally(outcomes)).toEqual({ ok: sent.length });
      expect(figures.answeredAfterSigterm).toBeGreaterThan(0);
      expect(logged).toHaveLength(sent.length);
      expect(loggedOnce.size).toBe(sent.length);
      expect(figures.sentWithoutLogLine).toBe(0);
      expect(exitCode).toBe(0);
      expect(containsSecret(subgraph.stdout()) || containsSecret(subgraph.stderr())).toBe(false);
    } finally {
      subgraph.kill();
    }
  });

  it('a log pipe that dies mid-load: the service keeps answering, then exits 0 on SIGTERM', async () => {
    const subgraph = spawnSubgraph(childEnv(emulator, {}));
    try {
      const url = await readyUrl(subgraph);
      let answeredWhenClosed = -1;
      const { outcomes, done } = load(
        url,
        'pipe',
        () => answeredWhenClosed < 0 || outcomes.length < answeredWhenClosed + WARM_UP,
      );
      await until(() => outcomes.length >= WARM_UP);
      const logLinesBeforeClose = requestLogIds(subgraph).length;
      // The reader goes away while requests (and their log lines) keep coming.
      subgraph.child.stdout.destroy();
      answeredWhenClosed = outcomes.length;
      await done;

      const ready = (await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(HANG_MS) })).status;
      subgraph.child.kill('SIGTERM');
      const exitCode = await Promise.race([
        subgraph.exited,
        new Promise((resolve) => setTimeout(() => resolve('still running'), HANG_MS).unref()),
      ]);

      const figures = {
        sent: outcomes.length,
        answeredBeforePipeClosed: answeredWhenClosed,
        answeredAfterPipeClosed: outcomes.length - answeredWhenClosed,
        outcomes: tally(outcomes),
        requestLogLinesReadBeforeClose: logLinesBeforeClose,
        readyAfterClose: ready,
        stdoutLostNotices: (subgraph.stderr().match(/stdout failed/g) ?? []).length,
        exitCode,
      };
      process.stdout.write(`[reliability] dying log pipe: ${JSON.stringify(figures)}\n`);

      expect(tally(outcomes)).toEqual({ ok: outcomes.length });
      expect(figures.answeredAfterPipeClosed).toBeGreaterThanOrEqual(WARM_UP);
      expect(ready).toBe(200);
      expect(figures.stdoutLostNotices).toBe(1);
      expect(exitCode).toBe(0);
    } finally {
      subgraph.kill();
    }
  });
});
