/**
 * Sustained load at high concurrency (autocannon, RELIABILITY_LOAD_SECONDS in two equal
 * phases) against a mix of cached and uncached work: finished tasks the cache holds,
 * running tasks it keeps for seconds, a walk through more distinct tasks than
 * CACHE_MAX_ENTRIES (every one a miss and a provider call), lists and `_entities`.
 * Zero failed requests, no heap growth from one phase to the next once the cache is at
 * its bound, and every socket closed again afterwards.
 */
import autocannon from 'autocannon';
import { startTestStack, type TestStack } from '../support/stack.js';
import {
  AUTH_HEADERS,
  BASE_ENV,
  RELIABILITY_CREDENTIALS,
  SIZES,
  containsSecret,
  openTcpSockets,
  postGraphQL,
} from './support.js';

const CACHE_MAX_ENTRIES = 2_000;
/** Heap growth allowed between the end of phase 1 and the end of phase 2: GC noise, not a leak of even 100 bytes a request. */
const HEAP_SLACK_BYTES = 16 * 1024 * 1024;

const IMAGE_ONE = 'query ImageOne($id: ID!) { imageTask(taskId: $id) { taskId state results { status } } }';
const IMAGE_LIST = 'query ImageList($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId state } }';
const WORKFLOW_ONE = 'query WorkflowOne($id: ID!) { workflowTask(taskId: $id) { taskId state inputs } }';
const WORKFLOW_LIST = 'query WorkflowList($ids: [ID!]!) { workflowTasks(taskIds: $ids) { taskId state } }';
const ENTITIES =
  'query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on ImageTask { taskId state } ... on WorkflowTask { taskId state } } }';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function heapUsedAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run test:reliability does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
}

describe('reliability: sustained load', () => {
  let stack: TestStack;
  const crashes: unknown[] = [];
  const onCrash = (error: unknown): void => void crashes.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    stack = await startTestStack(
      {
        ...BASE_ENV,
        LOG_LEVEL: 'info',
        CACHE_MAX_ENTRIES: String(CACHE_MAX_ENTRIES),
        // The budget would turn an uncached load into a queue by design; it is not what this measures.
        MPS_RATE_LIMIT_RPS: '1000000',
        ICE_RATE_LIMIT_RPS: '1000000',
      },
      RELIABILITY_CREDENTIALS,
    );
  });
  afterAll(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await stack?.stop();
  });

  it('serves cached and uncached mixes with zero failures, flat memory and no leaked sockets', async () => {
    const { emulator } = stack;
    const image = Array.from({ length: 20 }, (_, i) => `24000089-WorkflowTask-load${String(i).padStart(10, '0')}`);
    for (const taskId of image) {
      emulator.putImageTask(taskId, {
        TaskType: 'WorkflowTask',
        Status: 'FINISH',
        CreateTime: '2026-05-04T08:00:00Z',
        ImageProcessTaskResultSet: [],
      });
    }
    const put = (prefix: string, count: number, status: string): string[] =>
      Array.from({ length: count }, (_, i) => {
        const taskId = `${prefix}-${i}`;
        emulator.putWorkflowTask(taskId, {
          TaskId: taskId,
          Status: status,
          CreateTime: '2026-05-04T08:00:00Z',
          Inputs: '{"url":"oss://b/in.mp4"}',
        });
        return taskId;
      });
    const hot = put('load-hot', 20, 'succeeded');
    const running = put('load-running', 20, 'running');
    // Far more distinct tasks than a phase can walk through at a few thousand requests a second, so
    // the walk never comes round again: the task cache and both response caches miss every time.
    const churn = put('load-churn', CACHE_MAX_ENTRIES * 30, 'succeeded');

    // Fill the cache to its bound first, so both phases run with it full.
    for (let i = 0; i < CACHE_MAX_ENTRIES + 200; i += 100) {
      const { body } = await postGraphQL(stack, WORKFLOW_LIST, { ids: churn.slice(i, i + 100) });
      expect(body.errors).toBeUndefined();
    }
    const socketsBefore = openTcpSockets();

    let sent = 0;
    let churnNext = CACHE_MAX_ENTRIES + 200;
    let walkSent = 0;
    const nextBody = (): string => {
      sent += 1;
      const slot = sent % 10;
      const pick = <T>(items: readonly T[]): T => items[sent % items.length]!;
      if (slot < 4) return JSON.stringify({ query: IMAGE_ONE, variables: { id: pick(image) } });
      if (slot < 6)
        return JSON.stringify({ query: IMAGE_LIST, variables: { ids: image.slice(sent % 10, (sent % 10) + 10) } });
      if (slot < 8) {
        walkSent += 1;
        return JSON.stringify({ query: WORKFLOW_ONE, variables: { id: churn[churnNext++ % churn.length] } });
      }
      if (slot < 9) return JSON.stringify({ query: WORKFLOW_ONE, variables: { id: pick(running) } });
      const representations = [
        ...hot.slice(0, 4).map((taskId) => ({ __typename: 'WorkflowTask', taskId })),
        { __typename: 'ImageTask', taskId: pick(image) },
      ];
      return JSON.stringify({ query: ENTITIES, variables: { representations } });
    };
    const badBodies: string[] = [];
    const verifyBody = (text: unknown): boolean => {
      const body = String(text);
      let ok: boolean;
      try {
        const parsed = JSON.parse(body) as { data?: unknown; errors?: unknown };
        ok =
          parsed.errors === undefined &&
          typeof parsed.data === 'object' &&
          parsed.data !== null &&
          !containsSecret(body);
      } catch {
        ok = false;
      }
      if (!ok && badBodies.length < 5) badBodies.push(body.slice(0, 300));
      return ok;
    };

    const phases: Array<{
      requests: number;
      rps: number;
      failed: number;
      upstreamCalls: number;
      walkRequests: number;
      heapUsed: number;
      p99: number;
    }> = [];
    for (let phase = 0; phase < 2; phase += 1) {
      emulator.resetCalls();
      walkSent = 0;
      const result = await autocannon({
        url: stack.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
        connections: SIZES.loadConnections,
        duration: Math.max(1, Math.round(SIZES.loadSeconds / 2)),
        timeout: 10,
        requests: [{ setupRequest: (request) => ({ ...request, body: nextBody() }) }],
        verifyBody,
      });
      const upstreamCalls = emulator.callCount();
      // What the run left in the test's own records is not the app's memory: scan it, then drop it.
      expect(stack.leakedSecrets()).toEqual([]);
      stack.logLines.length = 0;
      stack.responses.length = 0;
      emulator.resetCalls();
      phases.push({
        requests: result.requests.total,
        rps: Math.round(result.requests.average),
        failed: result.errors + result.timeouts + result.non2xx + result.mismatches,
        upstreamCalls,
        walkRequests: walkSent,
        heapUsed: heapUsedAfterGc(),
        p99: result.latency.p99,
      });
    }

    const serverIdle = await eventually(
      () =>
        new Promise<boolean>((resolve) =>
          stack.app.server.httpServer.getConnections((error, count) => resolve(!error && count === 0)),
        ),
      10_000,
    );
    // Keep-alive sockets to the provider close when the emulator's idle timeout (5 s) ends them.
    const socketsClosed = await eventually(() => openTcpSockets() <= socketsBefore, 20_000);
    const socketsAfter = openTcpSockets();
    const [first, second] = phases as [(typeof phases)[0], (typeof phases)[0]];
    process.stdout.write(
      `[reliability] load: ${JSON.stringify({
        seconds: SIZES.loadSeconds,
        connections: SIZES.loadConnections,
        phases,
        heapGrowthBytes: second.heapUsed - first.heapUsed,
        socketsBefore,
        socketsAfter,
        badBodies,
      })}\n`,
    );

    expect(badBodies).toEqual([]);
    expect(phases.map((p) => p.failed)).toEqual([0, 0]);
    expect(first.requests).toBeGreaterThan(0);
    // Every walk request is a provider call: no cache may answer a task it cannot hold. Requests
    // still in flight when a phase ends were sent but may never have reached the provider.
    for (const phase of phases)
      expect(phase.upstreamCalls).toBeGreaterThanOrEqual(phase.walkRequests - SIZES.loadConnections);
    expect(second.heapUsed - first.heapUsed).toBeLessThan(HEAP_SLACK_BYTES);
    expect(serverIdle).toBe(true);
    expect(socketsClosed).toBe(true);
    expect(crashes).toEqual([]);
    expect((await stack.request('/health', { headers: AUTH_HEADERS })).status).toBe(200);
  });
});
