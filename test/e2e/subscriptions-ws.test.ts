/**
 * Subscriptions over real WebSockets (graphql-ws client, graphql-transport-ws protocol) against
 * the emulator, with task progressions scripted in the emulator and advanced by the test.
 * Ordered by events and counts (an event received, a provider call seen), never by elapsed time.
 */
import { startTestStack, type TestStack } from '../support/stack.js';
import { metricValue, record, until, wsClient, type Recorded } from '../support/ws-client.js';

const IMAGE_SUBSCRIPTION = `subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId status state results { status progress } finishTime } }`;
const WORKFLOW_SUBSCRIPTION = `subscription ($id: ID!) { workflowTaskUpdated(taskId: $id) { taskId status state nodeResults { nodeId status } finishTime } }`;

function imageEvents(recorded: Recorded): string[] {
  return recorded.results.map((result) => {
    if (result.errors) return `error:${result.errors.map((error) => String(error.extensions?.['code'])).join(',')}`;
    const task = result.data?.['imageTaskUpdated'] as {
      status: string;
      state: string;
      results: Array<{ progress: number }>;
    };
    return `${task.status}/${task.state}/${task.results.map((each) => each.progress).join(',')}`;
  });
}

function workflowEvents(recorded: Recorded): string[] {
  return recorded.results.map((result) => {
    if (result.errors) return `error:${result.errors.map((error) => String(error.extensions?.['code'])).join(',')}`;
    const task = result.data?.['workflowTaskUpdated'] as {
      status: string;
      state: string;
      nodeResults: unknown[] | null;
    };
    return `${task.status}/${task.state}/${task.nodeResults?.length ?? 'none'}`;
  });
}

describe('subscriptions over WebSocket', () => {
  let stack: TestStack;
  const clients: Array<{ dispose(): void | Promise<void> }> = [];
  const connect = (options?: Parameters<typeof wsClient>[1]) => {
    const made = wsClient(stack.url, options);
    clients.push(made.client);
    return made.client;
  };
  const calls = (taskId: string) => stack.emulator.callCount({ taskId });
  /** Waits for `more` further provider calls for the task: polls that found nothing new. */
  const polls = async (taskId: string, more: number) => {
    const target = calls(taskId) + more;
    await until(() => calls(taskId) >= target, `${more} more polls of ${taskId}`);
  };
  const metrics = async () => (await stack.request('/metrics')).text;
  /** Another task's poller polling three times is the clock: meanwhile `taskId` must get no call. */
  const staysQuiet = async (taskId: string) => {
    const before = calls(taskId);
    const canary = 'scripted-ws-canary';
    stack.emulator.scriptTask('tencent-mps', canary);
    const watching = record(connect(), IMAGE_SUBSCRIPTION, { id: canary });
    await polls(canary, 3);
    watching.unsubscribe();
    expect(calls(taskId)).toBe(before);
  };

  beforeAll(async () => {
    stack = await startTestStack({
      CACHE_RUNNING_TTL_MS: '250',
      SUBSCRIPTION_WAITING_INTERVAL_MS: '100',
      UPSTREAM_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await stack?.stop();
  });

  it('sends an image task as it moves from waiting to finished, each state once, then completes', async () => {
    const id = 'scripted-ws-mps-1';
    stack.emulator.scriptTask('tencent-mps', id);
    const events = record(connect(), IMAGE_SUBSCRIPTION, { id });
    await until(() => events.results.length === 1, 'the first event');
    for (let step = 0; step < 3; step += 1) {
      // Polls that find the same task send nothing.
      await polls(id, 2);
      expect(events.results).toHaveLength(step + 1);
      stack.emulator.advanceTask('tencent-mps', id);
      await until(() => events.results.length === step + 2, `event ${step + 2}`);
    }
    await until(() => events.done, 'completion');
    expect(imageEvents(events)).toEqual([
      'WAITING/PENDING/',
      'PROCESSING/RUNNING/0',
      'PROCESSING/RUNNING/50',
      'FINISH/SUCCEEDED/100',
    ]);
    expect(events.failure).toBeUndefined();
    await until(() => stack.logLines.some((line) => line.includes('"graphql operation ended"')), 'the log line');
    expect(JSON.parse(stack.logLines.find((line) => line.includes('"graphql operation ended"'))!)).toMatchObject({
      transport: 'websocket',
      operationType: 'subscription',
      requestId: expect.any(String),
      durationMs: expect.any(Number),
    });
    await staysQuiet(id);
  });

  it('sends a workflow task from running to succeeded, then completes', async () => {
    const id = 'scripted-ws-ice-1';
    stack.emulator.scriptTask('alibaba-ice', id);
    const events = record(connect(), WORKFLOW_SUBSCRIPTION, { id });
    await until(() => events.results.length === 1, 'the first event');
    await polls(id, 2);
    stack.emulator.advanceTask('alibaba-ice', id);
    await until(() => events.results.length === 2, 'the second event');
    await polls(id, 2);
    stack.emulator.advanceTask('alibaba-ice', id);
    await until(() => events.done, 'completion');
    expect(workflowEvents(events)).toEqual(['RUNNING/RUNNING/none', 'RUNNING/RUNNING/2', 'SUCCEEDED/SUCCEEDED/6']);
    expect(events.failure).toBeUndefined();
  });

  it('ends with NOT_FOUND for an unknown task and BAD_USER_INPUT for a bad id (no provider call)', async () => {
    const client = connect();
    const unknown = record(client, IMAGE_SUBSCRIPTION, { id: 'no-such-task-ws' });
    const bad = record(client, WORKFLOW_SUBSCRIPTION, { id: 'not a task id!' });
    await until(() => unknown.done && bad.done, 'both to end');
    expect(imageEvents(unknown)).toEqual(['error:NOT_FOUND']);
    expect(unknown.results[0]?.data).toBeNull();
    expect(workflowEvents(bad)).toEqual(['error:BAD_USER_INPUT']);
    expect(calls('not a task id!')).toBe(0);
  });

  it('keeps a subscription through transient provider errors, and ends it on one that will not heal', async () => {
    const id = 'scripted-ws-mps-2';
    stack.emulator.scriptTask('tencent-mps', id);
    const events = record(connect(), IMAGE_SUBSCRIPTION, { id });
    await until(() => events.results.length === 1, 'the first event');
    stack.emulator.injectFault({ taskId: id }, { kind: 'throttle', times: 2 });
    stack.emulator.injectFault({ taskId: id }, { kind: 'internal-error', times: 2 });
    await polls(id, 5);
    expect(events.done).toBe(false);
    stack.emulator.advanceTask('tencent-mps', id);
    await until(() => events.results.length === 2, 'the event after the errors');
    // An answer that cannot be read is not retried (providers/errors.ts): it ends the subscription.
    stack.emulator.injectFault({ taskId: id }, { kind: 'non-json', times: 1 });
    await until(() => events.done, 'the end');
    expect(imageEvents(events)).toEqual(['WAITING/PENDING/', 'PROCESSING/RUNNING/0', 'error:UPSTREAM_BAD_RESPONSE']);
    expect(events.results[2]?.data).toBeNull();
    await staysQuiet(id);
  });

  it('polls a task once per interval for 20 subscribers, sends each of them every event, and stops polling when they leave', async () => {
    const id = 'scripted-ws-mps-3';
    stack.emulator.scriptTask('tencent-mps', id);
    const before = await metrics();
    const subscribers = Array.from({ length: 20 }, () => record(connect(), IMAGE_SUBSCRIPTION, { id }));
    await until(() => subscribers.every((each) => each.results.length === 1), 'every first event');
    await polls(id, 3);
    stack.emulator.advanceTask('tencent-mps', id);
    await until(() => subscribers.every((each) => each.results.length === 2), 'every second event');
    await polls(id, 2);

    const during = await metrics();
    expect(metricValue(during, 'subscription_pollers_active{provider="tencent-mps"}')).toBe(1);
    expect(metricValue(during, 'subscriptions_active{provider="tencent-mps"}')).toBe(20);
    // One provider call per poll, whatever the number of subscribers.
    const pollsMade = (text: string) =>
      ['changed', 'unchanged', 'transient_error', 'fatal_error']
        .map((outcome) => metricValue(text, `subscription_polls_total{provider="tencent-mps",outcome="${outcome}"}`))
        .reduce((a, b) => a + b, 0);
    const callsSoFar = calls(id);
    expect(callsSoFar).toBeGreaterThanOrEqual(6);
    const pollsSoFar = pollsMade(during) - pollsMade(before);
    // The scrape and the emulator's count are read a moment apart: at most one poll in flight between them.
    expect(Math.abs(pollsSoFar - callsSoFar)).toBeLessThanOrEqual(1);
    expect(
      metricValue(during, 'subscription_events_sent_total{provider="tencent-mps",kind="task"}') -
        metricValue(before, 'subscription_events_sent_total{provider="tencent-mps",kind="task"}'),
    ).toBe(40);
    for (const each of subscribers) expect(imageEvents(each)).toEqual(['WAITING/PENDING/', 'PROCESSING/RUNNING/0']);

    for (const each of subscribers) each.unsubscribe();
    await until(
      async () => metricValue(await metrics(), 'subscription_pollers_active{provider="tencent-mps"}') === 0,
      'the poller to stop',
    );
    await staysQuiet(id);
  });

  it('answers a query sent over the socket, on /graphql and on / (where Sandbox connects) alike', async () => {
    for (const path of ['/graphql', '/']) {
      const result = record(connect({ path }), `query ($id: ID!) { imageTask(taskId: $id) { taskId state } }`, {
        id: 'scripted-ws-mps-1',
      });
      await until(() => result.done, 'the answer');
      expect(result.results).toEqual([{ data: { imageTask: { taskId: 'scripted-ws-mps-1', state: 'SUCCEEDED' } } }]);
    }
    const elsewhere = record(connect({ path: '/metrics' }), '{ __typename }');
    await until(() => elsewhere.done, 'the refusal');
    expect(elsewhere.results).toEqual([]);
  });

  it('applies the query limits to subscription documents', async () => {
    const client = connect();
    const aliases = Array.from({ length: 16 }, (_, index) => `a${index}: __typename`).join(' ');
    const tooMany = record(client, `subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { ${aliases} } }`, {
      id: 'x',
    });
    const mutation = record(client, 'mutation { imageTask }');
    await until(() => tooMany.done && mutation.done, 'both refusals');
    expect(tooMany.failure).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('MAX_QUERY_ALIASES'),
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(mutation.failure).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(calls('x')).toBe(0);
  });
});
