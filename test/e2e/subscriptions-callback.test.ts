/**
 * Apollo Router's HTTP callback protocol: the router POSTs the subscription with
 * `extensions.subscription`; the subgraph checks the callback URL, answers, then POSTs `next`
 * for every event, `check` heartbeats, and `complete` (with errors when the subscription ended
 * with one). A small receiver checks each message as the protocol defines it.
 */
import { startCallbackReceiver, type CallbackMessage, type CallbackReceiver } from '../support/callback-receiver.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { until } from '../support/ws-client.js';

const SECRET = 'callback-router-secret-0123456';
const SUBSCRIPTION = `subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId state results { progress } } }`;

describe('subscriptions over the router callback protocol', () => {
  let stack: TestStack;
  let receiver: CallbackReceiver;

  const subscribe = async (
    subscriptionId: string,
    variables: Record<string, unknown>,
    options: { query?: string; heartbeatIntervalMs?: number; secret?: string | null } = {},
  ) => {
    const { callbackUrl, verifier } = receiver.subscription(subscriptionId);
    const secret = options.secret === undefined ? SECRET : options.secret;
    const response = await stack.request('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json;callbackSpec=1.0',
        ...(secret ? { 'router-authorization': secret } : {}),
      },
      body: JSON.stringify({
        query: options.query ?? SUBSCRIPTION,
        variables,
        extensions: {
          subscription: {
            callbackUrl,
            subscriptionId,
            verifier,
            heartbeatIntervalMs: options.heartbeatIntervalMs ?? 0,
          },
        },
      }),
    });
    return {
      status: response.status,
      body: JSON.parse(response.text) as Record<string, unknown>,
      checksBeforeAnswer: receiver.messages(subscriptionId).length,
    };
  };
  const events = (messages: readonly CallbackMessage[]): string[] =>
    messages.map((message) => {
      if (message.action !== 'next')
        return message.errors
          ? `${message.action}:${message.errors.map((error) => String(error.extensions?.['code'])).join(',')}`
          : message.action;
      if (message.payload?.errors)
        return `next:error:${message.payload.errors.map((error) => String(error.extensions?.['code'])).join(',')}`;
      const task = (
        message.payload?.data as { imageTaskUpdated: { state: string; results: Array<{ progress: number }> } }
      ).imageTaskUpdated;
      return `next:${task.state}:${task.results.map((result) => result.progress).join(',')}`;
    });

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    stack = await startTestStack({
      SUBGRAPH_SHARED_SECRET: SECRET,
      SUBSCRIPTION_CALLBACK_URLS: `${receiver.url}/callback`,
      CACHE_RUNNING_TTL_MS: '250',
      SUBSCRIPTION_WAITING_INTERVAL_MS: '100',
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });
  afterEach(() => {
    expect(receiver.violations).toEqual([]);
  });

  it('checks the callback URL before answering, sends each state as next, then complete', async () => {
    const id = 'callback-mps-1';
    stack.emulator.scriptTask('tencent-mps', id);
    const answer = await subscribe('sub-1', { id });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: null });
    expect(answer.checksBeforeAnswer).toBe(1);
    await until(() => receiver.messages('sub-1').length === 2, 'the first next');
    for (let step = 1; step <= 3; step += 1) {
      const polled = stack.emulator.callCount({ taskId: id }) + 2;
      await until(() => stack.emulator.callCount({ taskId: id }) >= polled, 'two polls');
      stack.emulator.advanceTask('tencent-mps', id);
      // The terminal next and complete may arrive together.
      await until(() => receiver.messages('sub-1').length >= step + 2, `next ${step + 1}`);
    }
    await until(() => receiver.messages('sub-1').some((message) => message.action === 'complete'), 'complete');
    expect(events(receiver.messages('sub-1'))).toEqual([
      'check',
      'next:PENDING:',
      'next:RUNNING:0',
      'next:RUNNING:50',
      'next:SUCCEEDED:100',
      'complete',
    ]);
  });

  it('sends heartbeats as check messages while the subscription is open', async () => {
    stack.emulator.scriptTask('tencent-mps', 'callback-mps-2');
    // Raised to the floor of a second (security/callback-extension.ts).
    await subscribe('sub-2', { id: 'callback-mps-2' }, { heartbeatIntervalMs: 50 });
    await until(
      () => receiver.messages('sub-2').filter((message) => message.action === 'check').length >= 3,
      'two heartbeats',
    );
    expect(events(receiver.messages('sub-2')).filter((event) => event.startsWith('next'))).toEqual(['next:PENDING:']);
  });

  it('ends with the provider error for an unknown task, and with complete carrying the error for a bad id', async () => {
    await subscribe('sub-3', { id: 'no-such-task-callback' });
    await until(() => receiver.messages('sub-3').some((message) => message.action === 'complete'), 'complete');
    expect(events(receiver.messages('sub-3'))).toEqual(['check', 'next:error:NOT_FOUND', 'complete']);

    await subscribe('sub-4', { id: 'not a task id!' });
    await until(() => receiver.messages('sub-4').some((message) => message.action === 'complete'), 'complete');
    expect(events(receiver.messages('sub-4'))).toEqual(['check', 'complete:BAD_USER_INPUT']);
  });

  it('refuses a callback subscription without the router secret, or over the query limits, before any callback', async () => {
    const unauthenticated = await subscribe('sub-5', { id: 'callback-mps-2' }, { secret: null });
    expect(unauthenticated.status).toBe(401);
    const aliases = Array.from({ length: 16 }, (_, index) => `a${index}: __typename`).join(' ');
    const tooMany = await subscribe(
      'sub-6',
      { id: 'callback-mps-2' },
      { query: `subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { ${aliases} } }` },
    );
    expect(tooMany.status).toBe(400);
    const query = await subscribe('sub-8', {}, { query: '{ __typename }' });
    expect(query.status).toBe(400);
    expect(query.body).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })] });
    for (const refused of ['sub-5', 'sub-6', 'sub-8']) expect(receiver.messages(refused)).toEqual([]);
  });

  it('sends complete for every open subscription on shutdown', async () => {
    stack.emulator.scriptTask('tencent-mps', 'callback-mps-3');
    await subscribe('sub-7', { id: 'callback-mps-3' });
    await until(() => receiver.messages('sub-7').length === 2, 'the first next');
    await stack.app.stop();
    await until(() => receiver.messages('sub-7').some((message) => message.action === 'complete'), 'complete');
    expect(events(receiver.messages('sub-7'))).toEqual(['check', 'next:PENDING:', 'complete']);
  });
});
