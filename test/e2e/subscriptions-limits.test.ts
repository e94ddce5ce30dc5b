/**
 * The bounds of subscriptions over WebSocket, each with its clear error: the router secret on
 * the handshake or in `connection_init`, operations per connection, tasks watched per process,
 * the connection-init timeout and the maximum duration; and graceful shutdown, which completes
 * every subscription before the sockets close.
 */
import WebSocket from 'ws';
import { startTestStack, type TestStack } from '../support/stack.js';
import { metricValue, record, until, wsClient, wsUrl } from '../support/ws-client.js';

const SECRET = 'subscriptions-router-secret-0123';
const SUBSCRIPTION = `subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId state } }`;

describe('subscription limits, router secret and shutdown', () => {
  let stack: TestStack;
  const clients: Array<{ dispose(): void | Promise<void> }> = [];
  const connect = (
    options: Parameters<typeof wsClient>[1] = { connectionParams: { 'router-authorization': SECRET } },
  ) => {
    const made = wsClient(stack.url, options);
    clients.push(made.client);
    return made;
  };
  const scripted = (id: string) => {
    stack.emulator.scriptTask('tencent-mps', id);
    return id;
  };
  const limitMessage = (failure: unknown): string => {
    // Refused before it began (graphql-ws `error` message) or by the resolver (a result's errors): the same error either way.
    const errors = failure as Array<{ message: string; extensions: { code: string } }>;
    expect(errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT' }) }),
    ]);
    return errors[0]!.message;
  };

  beforeAll(async () => {
    stack = await startTestStack({
      SUBGRAPH_SHARED_SECRET: SECRET,
      SUBSCRIPTION_MAX_PER_CONNECTION: '2',
      SUBSCRIPTION_MAX_WATCHED_TASKS: '3',
      SUBSCRIPTION_INIT_TIMEOUT_MS: '200',
      SUBSCRIPTION_MAX_DURATION_MS: '1000',
      SUBSCRIPTION_WAITING_INTERVAL_MS: '100',
    });
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await stack?.stop();
  });

  it('closes a connection without the router secret (4403) and accepts it on the handshake or in connection_init', async () => {
    const before = metricValue(
      (await stack.request('/metrics')).text,
      'http_requests_refused_total{reason="unauthenticated"}',
    );
    const none = connect({});
    const wrong = connect({ connectionParams: { 'router-authorization': 'not-the-secret-at-all' } });
    const refused = [
      record(none.client, SUBSCRIPTION, { id: scripted('secret-1') }),
      record(wrong.client, SUBSCRIPTION, { id: 'secret-1' }),
    ];
    await until(() => refused.every((each) => each.done), 'both refusals');
    expect([none.closed.code, wrong.closed.code]).toEqual([4403, 4403]);
    expect(refused.map((each) => each.results)).toEqual([[], []]);
    const after = metricValue(
      (await stack.request('/metrics')).text,
      'http_requests_refused_total{reason="unauthenticated"}',
    );
    expect(after - before).toBe(2);

    const byInit = record(connect().client, SUBSCRIPTION, { id: 'secret-1' });
    const byHeader = record(connect({ headers: { 'router-authorization': SECRET } }).client, SUBSCRIPTION, {
      id: 'secret-1',
    });
    await until(() => byInit.results.length === 1 && byHeader.results.length === 1, 'both first events');
    expect(byInit.results[0]).toEqual({ data: { imageTaskUpdated: { taskId: 'secret-1', state: 'PENDING' } } });
    byInit.unsubscribe();
    byHeader.unsubscribe();
  });

  it('refuses a third operation on one connection (SUBSCRIPTION_MAX_PER_CONNECTION) and a fourth task (SUBSCRIPTION_MAX_WATCHED_TASKS)', async () => {
    const one = connect().client;
    const first = record(one, SUBSCRIPTION, { id: scripted('limit-1') });
    const second = record(one, SUBSCRIPTION, { id: scripted('limit-2') });
    const third = record(one, SUBSCRIPTION, { id: scripted('limit-3') });
    await until(() => third.done && first.results.length === 1 && second.results.length === 1, 'the refusal');
    expect(limitMessage(third.failure)).toContain('SUBSCRIPTION_MAX_PER_CONNECTION');

    const two = connect().client;
    const fourth = record(two, SUBSCRIPTION, { id: 'limit-3' });
    await until(() => fourth.results.length === 1, 'the third task');
    const fifth = record(two, SUBSCRIPTION, { id: scripted('limit-4') });
    await until(() => fifth.done, 'the refusal');
    // Refused by the field's subscribe resolver: one result with the error and no data, then complete.
    expect(fifth.results).toHaveLength(1);
    expect(fifth.results[0]?.data).toBeUndefined();
    expect(limitMessage(fifth.results[0]?.errors)).toContain('SUBSCRIPTION_MAX_WATCHED_TASKS');
    // A task already watched takes no new place.
    const again = record(connect().client, SUBSCRIPTION, { id: 'limit-1' });
    await until(() => again.results.length === 1, 'another subscriber of a watched task');
    for (const each of [first, second, fourth, again]) each.unsubscribe();
    expect(stack.emulator.callCount({ taskId: 'limit-4' })).toBe(0);
    await until(
      async () =>
        metricValue((await stack.request('/metrics')).text, 'subscription_pollers_active{provider="tencent-mps"}') ===
        0,
      'the places to free',
    );
  });

  it('closes a socket that sends no connection_init in time (4408)', async () => {
    const socket = new WebSocket(wsUrl(stack.url), 'graphql-transport-ws', {
      headers: { 'router-authorization': SECRET },
    });
    const code = await new Promise<number>((resolve) => socket.once('close', (closeCode) => resolve(closeCode)));
    expect(code).toBe(4408);
  });

  it('ends a subscription after SUBSCRIPTION_MAX_DURATION_MS with SUBSCRIPTION_EXPIRED', async () => {
    const events = record(connect().client, SUBSCRIPTION, { id: scripted('expiring-1') });
    await until(() => events.done, 'the end');
    expect(events.results).toEqual([
      { data: { imageTaskUpdated: { taskId: 'expiring-1', state: 'PENDING' } } },
      {
        data: null,
        errors: [
          expect.objectContaining({
            message: expect.stringContaining('SUBSCRIPTION_MAX_DURATION_MS'),
            extensions: { code: 'SUBSCRIPTION_EXPIRED', retryable: true },
          }),
        ],
      },
    ]);
  });

  it('completes every subscription on shutdown, then closes the sockets', async () => {
    const first = record(connect().client, SUBSCRIPTION, { id: scripted('shutdown-1') });
    const second = record(connect().client, SUBSCRIPTION, { id: scripted('shutdown-2') });
    await until(() => first.results.length === 1 && second.results.length === 1, 'both first events');
    await stack.app.stop();
    await until(() => first.done && second.done, 'both completions');
    expect([first.failure, second.failure]).toEqual([undefined, undefined]);
    expect([first.results.length, second.results.length]).toEqual([1, 1]);
  });
});
