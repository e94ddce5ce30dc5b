/**
 * Upstream economy over real HTTP: the process-wide cache, in-flight sharing, retries,
 * the request deadline and the rate limiter, counted in calls the emulator received.
 * Each test puts its own tasks into the emulator, so no test can be answered from
 * what another one cached.
 */
import { startTestStack, type TestStack } from '../support/stack.js';

const IMAGE = 'query ($id: ID!) { imageTask(taskId: $id) { taskId status state } }';
const WORKFLOW = 'query ($id: ID!) { workflowTask(taskId: $id) { taskId status state } }';

let counter = 0;
/** A fresh MPS task in the given status. */
function putImage(stack: TestStack, status: 'PROCESSING' | 'FINISH'): string {
  counter += 1;
  const taskId = `24000089-WorkflowTask-e2e${String(counter).padStart(8, '0')}${status.toLowerCase()}`;
  stack.emulator.putImageTask(taskId, {
    TaskType: 'WorkflowTask',
    Status: status,
    ErrCode: 0,
    ErrMsg: '',
    Message: '',
    ImageProcessTaskResultSet: [],
    CreateTime: '2026-05-04T08:00:00Z',
    FinishTime: status === 'FINISH' ? '2026-05-04T08:00:05Z' : null,
  });
  return taskId;
}

/** A fresh ICE task in the given status. */
function putWorkflow(stack: TestStack, status: 'running' | 'succeeded'): string {
  counter += 1;
  const taskId = `e2e-${String(counter).padStart(8, '0')}-${status}`;
  stack.emulator.putWorkflowTask(taskId, { TaskId: taskId, Status: status, CreateTime: '2026-05-04T08:00:00Z' });
  return taskId;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('upstream economy', () => {
  describe('with the process-wide cache on', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ CACHE_MAX_ENTRIES: '10000' });
    });
    afterAll(async () => {
      await stack?.stop();
    });
    beforeEach(() => {
      stack.emulator.clearFaults();
      stack.emulator.resetCalls();
    });

    it('answers repeat queries of a finished task from the cache, across requests', async () => {
      const imageId = putImage(stack, 'FINISH');
      const workflowId = putWorkflow(stack, 'succeeded');
      for (let round = 0; round < 5; round += 1) {
        const image = await stack.query(IMAGE, { id: imageId });
        const workflow = await stack.query(WORKFLOW, { id: workflowId });
        expect(image.body.data?.imageTask).toMatchObject({ taskId: imageId, state: 'SUCCEEDED' });
        expect(workflow.body.data?.workflowTask).toMatchObject({ taskId: workflowId, state: 'SUCCEEDED' });
      }
      expect(stack.emulator.callCount({ taskId: imageId })).toBe(1);
      expect(stack.emulator.callCount({ taskId: workflowId })).toBe(1);
    });

    it('keeps the cache hint of a task answered from the cache', async () => {
      const id = putImage(stack, 'FINISH');
      await stack.query(IMAGE, { id });
      const { headers } = await stack.query(IMAGE, { id });
      expect(headers.get('cache-control')).toBe('max-age=600, public');
      expect(stack.emulator.callCount({ taskId: id })).toBe(1);
    });

    it('does not retry NOT_FOUND, and keeps it briefly', async () => {
      const id = 'e2e-no-such-task';
      const first = await stack.query(WORKFLOW, { id });
      const second = await stack.query(WORKFLOW, { id });
      for (const { body } of [first, second])
        expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', provider: 'alibaba-ice' });
      expect(stack.emulator.callCount({ taskId: id })).toBe(1);
    });

    it('succeeds after retries when a task is throttled twice: exactly 3 upstream attempts', async () => {
      const id = putImage(stack, 'FINISH');
      stack.emulator.injectFault({ taskId: id }, { kind: 'throttle', times: 2 });
      const { body } = await stack.query(IMAGE, { id });
      expect(body.errors).toBeUndefined();
      expect(body.data?.imageTask).toMatchObject({ taskId: id, state: 'SUCCEEDED' });
      expect(stack.emulator.callCount({ taskId: id })).toBe(3);
    });

    it('gives up after UPSTREAM_MAX_ATTEMPTS attempts and answers RATE_LIMITED, and never caches that', async () => {
      const id = putWorkflow(stack, 'succeeded');
      stack.emulator.injectFault({ taskId: id }, { kind: 'throttle', times: 10 });
      const { body } = await stack.query(WORKFLOW, { id });
      expect(body.data?.workflowTask).toBeNull();
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        provider: 'alibaba-ice',
        retryable: true,
      });
      expect(stack.emulator.callCount({ taskId: id })).toBe(3);
      await stack.query(WORKFLOW, { id });
      expect(stack.emulator.callCount({ taskId: id })).toBe(6);
    });

    it('re-signs every ICE attempt: a fresh nonce, date and signature each time', async () => {
      const id = putWorkflow(stack, 'succeeded');
      // Retry-After: 1 makes the attempts at least a second apart, so the signed date must move.
      stack.emulator.injectFault({ taskId: id }, { kind: 'throttle', times: 2, retryAfterSeconds: 1 });
      const { body } = await stack.query(WORKFLOW, { id });
      expect(body.errors).toBeUndefined();
      const attempts = stack.emulator.calls().filter((call) => call.taskId === id);
      expect(attempts.map((call) => call.outcome)).toEqual(['throttle', 'throttle', 'ok']);
      for (const header of ['x-acs-signature-nonce', 'x-acs-date', 'authorization']) {
        expect(new Set(attempts.map((call) => call.headers[header])).size).toBe(3);
      }
    });

    it('re-signs every MPS attempt with a fresh timestamp', async () => {
      const id = putImage(stack, 'FINISH');
      stack.emulator.injectFault({ taskId: id }, { kind: 'unavailable', times: 2, retryAfterSeconds: 1 });
      const { body } = await stack.query(IMAGE, { id });
      expect(body.errors).toBeUndefined();
      const attempts = stack.emulator.calls().filter((call) => call.taskId === id);
      expect(attempts.map((call) => call.outcome)).toEqual(['unavailable', 'unavailable', 'ok']);
      const timestamps = attempts.map((call) => Number(call.headers['x-tc-timestamp']));
      expect(timestamps[1]).toBeGreaterThan(timestamps[0]!);
      expect(timestamps[2]).toBeGreaterThan(timestamps[1]!);
      expect(new Set(attempts.map((call) => call.headers['authorization'])).size).toBe(3);
    });
  });

  describe('with a short running TTL', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ CACHE_MAX_ENTRIES: '10000', CACHE_RUNNING_TTL_MS: '200' });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('asks again for a running task after the running TTL, and keeps it once it has finished', async () => {
      const id = putImage(stack, 'PROCESSING');
      const first = await stack.query(IMAGE, { id });
      expect(first.body.data?.imageTask).toMatchObject({ status: 'PROCESSING', state: 'RUNNING' });
      expect(stack.emulator.callCount({ taskId: id })).toBe(1);

      stack.emulator.putImageTask(id, { TaskType: 'WorkflowTask', Status: 'FINISH', ImageProcessTaskResultSet: [] });
      await sleep(300);
      const second = await stack.query(IMAGE, { id });
      expect(second.body.data?.imageTask).toMatchObject({ status: 'FINISH' });
      expect(stack.emulator.callCount({ taskId: id })).toBe(2);

      await sleep(300);
      await stack.query(IMAGE, { id });
      expect(stack.emulator.callCount({ taskId: id })).toBe(2);
    });
  });

  describe('in-flight sharing (cache off)', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ CACHE_MAX_ENTRIES: '0' });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('makes one upstream call for N concurrent GraphQL requests naming one task', async () => {
      const id = putImage(stack, 'PROCESSING');
      // The slow answer keeps the first call in flight while the other requests arrive.
      stack.emulator.injectFault({ taskId: id }, { kind: 'latency', latencyMs: 1_000 });
      const responses = await Promise.all(Array.from({ length: 10 }, () => stack.query(IMAGE, { id })));
      for (const { body } of responses) expect(body.data?.imageTask).toMatchObject({ taskId: id, state: 'RUNNING' });
      expect(stack.emulator.callCount({ taskId: id })).toBe(1);

      // Nothing is kept once the call is over: with the cache off, the next request asks again.
      stack.emulator.clearFaults();
      await stack.query(IMAGE, { id });
      expect(stack.emulator.callCount({ taskId: id })).toBe(2);
    });
  });

  describe('request deadline', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ REQUEST_DEADLINE_MS: '500', UPSTREAM_TIMEOUT_MS: '10000' });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('answers UPSTREAM_UNAVAILABLE "deadline exceeded" for a provider that hangs, instead of hanging', async () => {
      const id = putWorkflow(stack, 'running');
      stack.emulator.injectFault({ taskId: id }, { kind: 'hang' });
      const { body } = await stack.query(WORKFLOW, { id });
      expect(body.data?.workflowTask).toBeNull();
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'alibaba-ice' });
      expect(body.errors?.[0]?.message).toMatch(/deadline exceeded/);
      expect(stack.emulator.callCount({ taskId: id })).toBe(1);
    });

    it('does not start a retry that could not finish in time (Retry-After beyond the deadline)', async () => {
      const id = putWorkflow(stack, 'running');
      stack.emulator.injectFault({ taskId: id }, { kind: 'throttle', retryAfterSeconds: 5 });
      const { body } = await stack.query(WORKFLOW, { id });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(stack.emulator.callCount({ taskId: id })).toBe(1);
    });
  });

  describe('rate limiter', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ MPS_RATE_LIMIT_RPS: '1', RATE_LIMIT_MAX_QUEUE: '1' });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('queues calls over budget and fails the ones beyond the queue at once with RATE_LIMITED', async () => {
      const ids = [putImage(stack, 'FINISH'), putImage(stack, 'FINISH'), putImage(stack, 'FINISH')];
      const { body } = await stack.query('query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }', { ids });
      const tasks = body.data?.imageTasks as Array<{ taskId: string } | null>;
      expect(tasks.filter((task) => task !== null)).toHaveLength(2);
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        provider: 'tencent-mps',
        retryable: false,
      });
      expect(body.errors?.[0]?.message).toMatch(/queue is full/);
      expect(stack.emulator.callCount({ provider: 'tencent-mps' })).toBe(2);
    });
  });
});
