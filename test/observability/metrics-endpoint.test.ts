/**
 * GET /metrics over real HTTP: the Prometheus exposition of what the app did, with
 * counts checked against the calls the emulator received.
 */
import { startTestStack, type TestStack } from '../support/stack.js';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let counter = 0;
function putWorkflow(stack: TestStack): string {
  counter += 1;
  const taskId = `metrics-${String(counter).padStart(6, '0')}`;
  stack.emulator.putWorkflowTask(taskId, { TaskId: taskId, Status: 'succeeded', CreateTime: '2026-05-04T08:00:00Z' });
  return taskId;
}

describe('GET /metrics', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      CACHE_MAX_ENTRIES: '1000',
      UPSTREAM_RETRY_BASE_DELAY_MS: '1',
      UPSTREAM_RETRY_MAX_DELAY_MS: '5',
      // Two ICE calls per second: the third id of the first query has to queue.
      ICE_RATE_LIMIT_RPS: '2',
      BODY_LIMIT_BYTES: '1024',
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the Prometheus text format with process metrics', async () => {
    const response = await stack.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(response.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('counts GraphQL requests, provider calls, cache use, retries, rate-limit waits and refusals', async () => {
    const first = putWorkflow(stack);
    const second = putWorkflow(stack);
    const throttled = putWorkflow(stack);
    stack.emulator.injectFault({ taskId: throttled }, { kind: 'throttle', times: 1 });
    const query = 'query Board($ids: [ID!]!) { workflowTasks(taskIds: $ids) { taskId } }';

    await stack.query(query, { ids: [first, second, 'metrics-unknown'] });
    await stack.query(query, { ids: [first, second] });
    await stack.query('query Retried($id: ID!) { workflowTask(taskId: $id) { taskId } }', { id: throttled });
    await stack.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'x'.repeat(2000) }),
    });

    const text = (await stack.request('/metrics')).text;
    const ice = 'provider="alibaba-ice",action="GetAIWorkflowTask"';
    expect(value(text, 'graphql_requests_total{operation="Board",outcome="partial"}')).toBe(1);
    expect(value(text, 'graphql_requests_total{operation="Board",outcome="ok"}')).toBe(1);
    expect(value(text, 'graphql_requests_total{operation="Retried",outcome="ok"}')).toBe(1);
    expect(value(text, 'graphql_errors_total{code="NOT_FOUND"}')).toBe(1);
    expect(value(text, 'graphql_request_duration_seconds_count{operation="Board"}')).toBe(2);

    // 3 first calls, 1 throttled attempt and its retry; the second Board query is all cache hits.
    expect(stack.emulator.callCount({ provider: 'alibaba-ice' })).toBe(5);
    expect(value(text, `upstream_requests_total{${ice},outcome="OK"}`)).toBe(3);
    expect(value(text, `upstream_requests_total{${ice},outcome="NOT_FOUND"}`)).toBe(1);
    expect(value(text, `upstream_requests_total{${ice},outcome="RATE_LIMITED"}`)).toBe(1);
    expect(value(text, `upstream_request_duration_seconds_count{${ice}}`)).toBe(5);
    expect(value(text, `upstream_retries_total{${ice}}`)).toBe(1);
    expect(value(text, 'upstream_cache_hits_total{provider="alibaba-ice"}')).toBe(2);
    expect(value(text, 'upstream_cache_misses_total{provider="alibaba-ice"}')).toBe(4);
    expect(value(text, 'upstream_rate_limiter_wait_seconds_count{provider="alibaba-ice"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'upstream_rate_limiter_queue_length{provider="alibaba-ice"}')).toBe(0);
    expect(value(text, 'http_requests_refused_total{reason="body_too_large"}')).toBe(1);
  });
});
