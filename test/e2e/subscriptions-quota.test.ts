/**
 * The provider quota over real sockets (app, emulator, WebSocket clients): with many running
 * tasks watched, a query's lookup reaches the provider ahead of the polls waiting for the quota,
 * the polls never exceed the budget, and /metrics counts the quota by class. Counted from the
 * emulator's call log, never timed.
 */
import type { JsonObject } from '../../src/emulator/index.js';
import { busiestWindow } from '../../support/arrivals.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { metricValue, record, until, wsClient, type Recorded } from '../support/ws-client.js';

const SUBSCRIPTION = `subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId state } }`;
const RPS = 5;
const WATCHED = 30;

/** A task that stays PROCESSING, its progress moving at every call. */
function endlessProgress(): JsonObject[] {
  return Array.from({ length: 500 }, (_, index) => ({
    TaskType: 'WorkflowTask',
    Status: 'PROCESSING',
    ErrCode: 0,
    ErrMsg: '',
    Message: '',
    ImageProcessTaskResultSet: [{ Status: 'PROCESSING', ErrMsg: '', Message: '', Progress: index % 100, Output: null }],
    CreateTime: '2026-05-04T08:00:00Z',
    FinishTime: null,
  }));
}

describe('the provider quota with watched tasks (real sockets)', () => {
  let stack: TestStack;
  const clients: Array<{ dispose(): void | Promise<void> }> = [];

  beforeAll(async () => {
    stack = await startTestStack({
      MPS_RATE_LIMIT_RPS: String(RPS),
      CACHE_RUNNING_TTL_MS: '500',
      SUBSCRIPTION_MAX_WATCHED_TASKS_PER_CLIENT: '20',
    });
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await stack?.stop();
  });

  it('serves a query before the queued polls of 30 watched tasks, within the budget, and counts the quota by class', async () => {
    const subscriptions: Recorded[] = [];
    for (let connection = 0; connection < 2; connection += 1) {
      const { client } = wsClient(stack.url);
      clients.push(client);
      for (let index = 0; index < WATCHED / 2; index += 1) {
        const taskId = `quota-${connection}-${index}`;
        stack.emulator.scriptTask('tencent-mps', taskId, endlessProgress(), { advanceEveryCalls: 1 });
        subscriptions.push(record(client, SUBSCRIPTION, { id: taskId }));
      }
    }
    // 30 tasks at 5/s: every task has its first event after about 6 s; refreshes follow, stretched to 6 s each.
    await until(() => subscriptions.every((each) => each.results.length >= 1), 'every first event', 30_000);
    await until(
      () => subscriptions.filter((each) => each.results.length >= 2).length >= 5,
      'refreshes under way',
      30_000,
    );

    const before = stack.emulator.calls().length;
    stack.emulator.scriptTask('tencent-mps', 'quota-wanted', endlessProgress());
    const answer = await stack.query('query ($id: ID!) { imageTask(taskId: $id) { state } }', { id: 'quota-wanted' });
    expect(answer.body.errors).toBeUndefined();
    const after = stack.emulator.calls().slice(before);
    const position = after.findIndex((call) => call.taskId === 'quota-wanted');
    // Ahead of it at most: the scheduler's polls already granted or waiting (2 in flight), and the background reserve (1 a window each).
    expect(position).toBeGreaterThanOrEqual(0);
    expect(position).toBeLessThanOrEqual(4);

    await until(() => subscriptions.every((each) => each.results.length >= 3), 'every task refreshed twice', 40_000);
    // From the query on: the very first call of a cold process can arrive later than the margin allows for (a new connection).
    const arrivals = stack.emulator
      .calls()
      .slice(before)
      .filter((call) => call.provider === 'tencent-mps')
      .map((call) => call.receivedAt);
    expect(arrivals.length).toBeGreaterThanOrEqual(WATCHED);
    expect(busiestWindow(arrivals)).toBeLessThanOrEqual(RPS);

    const metrics = (await stack.request('/metrics')).text;
    const used = (cls: string) =>
      metricValue(metrics, `upstream_quota_used_total{provider="tencent-mps",class="${cls}"}`);
    expect(used('first_read')).toBe(WATCHED);
    expect(used('refresh')).toBeGreaterThanOrEqual(WATCHED);
    expect(used('interactive')).toBe(1);
    expect(metricValue(metrics, 'subscription_refresh_interval_seconds{provider="tencent-mps"}')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'upstream_rate_limiter_rejected_total{provider="tencent-mps"}')).toBe(0);
    for (const each of subscriptions) each.unsubscribe();
  }, 90_000);

  it("refuses one task more than a client's budget with SUBSCRIPTION_LIMIT, counted, while another connection may still watch", async () => {
    const { client } = wsClient(stack.url);
    clients.push(client);
    const held: Recorded[] = [];
    for (let index = 0; index < 20; index += 1) {
      stack.emulator.scriptTask('tencent-mps', `budget-${index}`, endlessProgress());
      held.push(record(client, SUBSCRIPTION, { id: `budget-${index}` }));
    }
    await until(() => held.every((each) => each.results.length >= 1), 'the 20 first events', 30_000);
    stack.emulator.scriptTask('tencent-mps', 'budget-20', endlessProgress());
    const refused = record(client, SUBSCRIPTION, { id: 'budget-20' });
    await until(() => refused.done, 'the refusal');
    expect(refused.results).toEqual([
      expect.objectContaining({
        errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT' }) })],
      }),
    ]);
    expect(JSON.stringify(refused.results)).toContain('SUBSCRIPTION_MAX_WATCHED_TASKS_PER_CLIENT');
    const other = wsClient(stack.url).client;
    clients.push(other);
    const elsewhere = record(other, SUBSCRIPTION, { id: 'budget-20' });
    await until(() => elsewhere.results.length >= 1, 'the other connection');
    const metrics = (await stack.request('/metrics')).text;
    expect(metricValue(metrics, 'subscription_client_budget_refusals_total{provider="tencent-mps"}')).toBe(1);
    for (const each of [...held, elsewhere]) each.unsubscribe();
  }, 60_000);
});
