/**
 * One structured log line per GraphQL request, over real HTTP: the request id (the
 * caller's, or generated, and echoed in `x-request-id`), the operation, what the request
 * cost upstream (calls as the emulator counted them, cache hits, retries), its outcome
 * and its errors by code.
 */
import { FINISHED_IMAGE_TASK } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

interface RequestLine {
  level: number;
  service: string;
  requestId: string;
  msg: string;
  operationName: string | null;
  operationType: string | null;
  outcome: string;
  httpStatus: number;
  durationMs: number;
  upstream: {
    calls: number;
    cacheHits: number;
    cacheMisses: number;
    inFlightShared: number;
    retries: number;
    sharedCacheHits: number;
    sharedInFlight: number;
    rateLimitWaitMs: number;
  };
  errors: Record<string, number>;
}

const DASHBOARD = 'query Dashboard($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId state } }';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let counter = 0;
function putFinishedImage(stack: TestStack): string {
  counter += 1;
  const taskId = `24000089-WorkflowTask-logs${String(counter).padStart(8, '0')}`;
  stack.emulator.putImageTask(taskId, FINISHED_IMAGE_TASK);
  return taskId;
}

function requestLines(stack: TestStack, requestId: string): RequestLine[] {
  return stack.logLines
    .map((line) => JSON.parse(line) as RequestLine)
    .filter((line) => line.msg === 'graphql request' && line.requestId === requestId);
}

describe('request logs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      CACHE_MAX_ENTRIES: '1000',
      UPSTREAM_RETRY_BASE_DELAY_MS: '1',
      UPSTREAM_RETRY_MAX_DELAY_MS: '5',
      MAX_QUERY_DEPTH: '3',
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    stack.emulator.clearFaults();
    stack.emulator.resetCalls();
  });

  it('writes one line per request with its id, operation, upstream calls, outcome and errors by code', async () => {
    const ids = [putFinishedImage(stack), putFinishedImage(stack), '24000089-WorkflowTask-logs-unknown-1'];
    const { headers, body } = await stack.query(DASHBOARD, { ids }, { 'x-request-id': 'dashboard-7f3a' });
    expect(body.errors).toHaveLength(1);
    expect(headers.get('x-request-id')).toBe('dashboard-7f3a');

    const lines = requestLines(stack, 'dashboard-7f3a');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      level: 30,
      time: expect.any(Number),
      service: 'media-task-subgraph',
      requestId: 'dashboard-7f3a',
      msg: 'graphql request',
      operationName: 'Dashboard',
      operationType: 'query',
      outcome: 'partial',
      httpStatus: 200,
      durationMs: expect.any(Number),
      responseCacheHit: false,
      edgeCacheHit: false,
      upstream: {
        calls: 3,
        cacheHits: 0,
        cacheMisses: 3,
        inFlightShared: 0,
        retries: 0,
        sharedCacheHits: 0,
        sharedInFlight: 0,
        rateLimitWaitMs: expect.any(Number),
      },
      errors: { NOT_FOUND: 1 },
    });
    expect(stack.emulator.callCount()).toBe(3);
  });

  it('counts cache hits instead of calls when the answers are cached', async () => {
    const ids = [putFinishedImage(stack), putFinishedImage(stack)];
    await stack.query(DASHBOARD, { ids }, { 'x-request-id': 'warm-up' });
    stack.emulator.resetCalls();
    // Another selection of the same tasks: executed again, its tasks come from the process cache.
    await stack.query(
      'query Dashboard($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId status } }',
      { ids },
      { 'x-request-id': 'cached' },
    );
    expect(stack.emulator.callCount()).toBe(0);
    expect(requestLines(stack, 'cached')[0]).toMatchObject({ responseCacheHit: false });
    expect(requestLines(stack, 'cached')[0]?.upstream).toEqual({
      calls: 0,
      cacheHits: 2,
      cacheMisses: 0,
      inFlightShared: 0,
      retries: 0,
      sharedCacheHits: 0,
      sharedInFlight: 0,
      rateLimitWaitMs: 0,
    });
  });

  it('says when the whole response came from the response cache', async () => {
    const ids = [putFinishedImage(stack)];
    await stack.query(DASHBOARD, { ids }, { 'x-request-id': 'first-poll' });
    await stack.query(DASHBOARD, { ids }, { 'x-request-id': 'second-poll' });
    expect(requestLines(stack, 'first-poll')[0]).toMatchObject({ responseCacheHit: false, upstream: { calls: 1 } });
    // The same bytes again: answered by the edge cache, before Express and Apollo.
    expect(requestLines(stack, 'second-poll')[0]).toMatchObject({
      responseCacheHit: true,
      edgeCacheHit: true,
      upstream: { calls: 0, cacheHits: 0 },
    });
    // The same request in other bytes (here: key order) misses the edge cache; Apollo's response cache answers.
    await stack.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'third-poll' },
      body: JSON.stringify({ variables: { ids }, query: DASHBOARD }),
    });
    expect(requestLines(stack, 'third-poll')[0]).toMatchObject({
      responseCacheHit: true,
      edgeCacheHit: false,
      upstream: { calls: 0, cacheHits: 0 },
    });
  });

  it('counts each attempt of a retried call', async () => {
    const taskId = putFinishedImage(stack);
    stack.emulator.injectFault({ taskId }, { kind: 'throttle', times: 1 });
    const { body } = await stack.query(
      'query One($id: ID!) { imageTask(taskId: $id) { state } }',
      { id: taskId },
      { 'x-request-id': 'retried' },
    );
    expect(body.errors).toBeUndefined();
    const [line] = requestLines(stack, 'retried');
    expect(line).toMatchObject({ operationName: 'One', outcome: 'ok', errors: {} });
    expect(line?.upstream).toMatchObject({ calls: 2, retries: 1 });
    expect(stack.emulator.callCount({ taskId })).toBe(2);
  });

  it('logs a refused operation as failed, with its code and no upstream call', async () => {
    const { status } = await stack.query(
      'query Deep { workflowTask(taskId: "x") { workflow { graph { nodes { id } } } } }',
      undefined,
      { 'x-request-id': 'too-deep' },
    );
    expect(status).toBe(400);
    expect(requestLines(stack, 'too-deep')[0]).toMatchObject({
      operationName: 'Deep',
      outcome: 'failed',
      httpStatus: 400,
      upstream: { calls: 0 },
      errors: { BAD_USER_INPUT: 1 },
    });
  });

  it.each([
    ['no x-request-id', {}],
    ['an unusable x-request-id', { 'x-request-id': 'has spaces and "quotes"' }],
  ])('generates a request id for %s and echoes it', async (_case, headers) => {
    const { headers: responseHeaders } = await stack.query('{ __typename }', undefined, headers);
    const requestId = responseHeaders.get('x-request-id') ?? '';
    expect(requestId).toMatch(UUID);
    expect(requestLines(stack, requestId)).toHaveLength(1);
  });

  it('echoes the request id on refusals made before GraphQL, and logs them', async () => {
    const response = await stack.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'not-json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(response.headers['x-request-id']).toBe('not-json');
    const refusals = stack.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.requestId === 'not-json');
    expect(refusals).toEqual([
      expect.objectContaining({ msg: 'request refused', reason: 'bad_request_body', status: 400 }),
    ]);
  });
});

describe('LOG_LEVEL', () => {
  it('leaves out the per-request lines above info', async () => {
    const stack = await startTestStack({ LOG_LEVEL: 'warn' });
    try {
      await stack.query('{ __typename }', undefined, { 'x-request-id': 'quiet' });
      expect(requestLines(stack, 'quiet')).toHaveLength(0);
      expect(
        stack.logLines.map((line) => (JSON.parse(line) as { level: number }).level).every((level) => level >= 40),
      ).toBe(true);
    } finally {
      await stack.stop();
    }
  });
});
