/**
 * The router callback protocol against an untrusted caller (issue 19, items 1 and 2): off unless
 * SUBSCRIPTION_CALLBACK_URLS is set, only URLs under its prefixes, the extension typed and bounded,
 * heartbeats within bounds, redirects never followed, the target's answers never echoed, every
 * callback request bounded by a timeout, and the drain at shutdown by SHUTDOWN_GRACE_MS.
 * Targets are real HTTP servers on loopback that record what reached them.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CHECK_FAILED_MESSAGE } from '../../src/subscriptions/callback-transport.js';
import { startHttpTarget, type HttpTarget, type TargetAnswer, type TargetRequest } from '../support/http-target.js';
import { startTestStack, type RecordedResponse, type TestStack } from '../support/stack.js';
import { metricValue, until } from '../support/ws-client.js';

const SUBSCRIPTION = 'subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId state } }';

function subscribe(stack: TestStack, subscription: unknown, taskId = 'callback-abuse-task'): Promise<RecordedResponse> {
  return stack.request('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json;callbackSpec=1.0' },
    body: JSON.stringify({ query: SUBSCRIPTION, variables: { id: taskId }, extensions: { subscription } }),
  });
}

function extension(callbackUrl: unknown, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { callbackUrl, subscriptionId: 'sub-abuse', verifier: 'verifier-abuse', heartbeatIntervalMs: 0, ...more };
}

function codeOf(response: RecordedResponse): unknown {
  return (JSON.parse(response.text) as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors?.[0]?.extensions
    ?.code;
}

async function refusals(stack: TestStack, reason: string): Promise<number> {
  return metricValue((await stack.request('/metrics')).text, `http_requests_refused_total{reason="${reason}"}`);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The router's side, by path: `/callback/<how>-<n>`. */
function routerLike(elsewhere: () => string) {
  return (request: TargetRequest): TargetAnswer => {
    const how = /^\/callback\/([a-z]+)/.exec(request.path)?.[1] ?? '';
    const action = (JSON.parse(request.body || '{}') as { action?: string }).action;
    if (how === 'redirect')
      return { status: 307, headers: { location: `${elsewhere()}/internal-admin/delete-everything` } };
    if (how === 'forbidden') return { status: 403 };
    if (how === 'broken') return { status: 500 };
    if (how === 'hangs') return 'hang';
    if (how === 'nocomplete' && action === 'complete') return 'hang';
    return {
      status: action === 'check' ? 204 : action === 'complete' ? 202 : 200,
      headers: { 'subscription-protocol': 'callback/1.0' },
    };
  };
}

describe('the callback protocol with SUBSCRIPTION_CALLBACK_URLS unset', () => {
  let stack: TestStack;
  let target: HttpTarget;
  beforeAll(async () => {
    target = await startHttpTarget(() => ({ status: 204 }));
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
    await target?.close();
  });

  it('is off: a callback subscription is refused with CALLBACK_NOT_ALLOWED and nothing is sent anywhere', async () => {
    stack.emulator.scriptTask('tencent-mps', 'callback-abuse-task');
    const answer = await subscribe(stack, extension(`${target.url}/callback/sub-abuse`));
    expect(answer.status).toBe(403);
    expect(codeOf(answer)).toBe('CALLBACK_NOT_ALLOWED');
    expect(target.requests).toEqual([]);
    expect(await refusals(stack, 'callback_not_allowed')).toBe(1);
  });
});

describe('the callback protocol with SUBSCRIPTION_CALLBACK_URLS set', () => {
  let stack: TestStack;
  let router: HttpTarget;
  let elsewhere: HttpTarget;
  let deadPort: number;
  beforeAll(async () => {
    elsewhere = await startHttpTarget(() => ({ status: 200 }));
    router = await startHttpTarget(routerLike(() => elsewhere.url));
    deadPort = await closedPort();
    stack = await startTestStack({
      SUBSCRIPTION_CALLBACK_URLS: `${router.url}/callback, http://127.0.0.1:${deadPort}/callback`,
      SUBSCRIPTION_CALLBACK_TIMEOUT_MS: '300',
    });
    stack.emulator.scriptTask('tencent-mps', 'callback-abuse-task');
  });
  afterAll(async () => {
    await stack?.stop();
    await router?.close();
    await elsewhere?.close();
  });

  it('refuses every URL outside the prefixes before sending anything', async () => {
    const outside = [
      `${elsewhere.url}/callback/sub-abuse`,
      `${router.url}/internal-admin/sub-abuse`,
      `${router.url}/callbackx/sub-abuse`,
      `${router.url}/callback/sub-abuse?next=/internal-admin`,
      router.url.replace('http://', 'http://user:pass@') + '/callback/sub-abuse',
      router.url.replace('http://', 'ftp://') + '/callback/sub-abuse',
      'data:application/json,{}',
      'not a url',
    ];
    const answers = [];
    for (const url of outside) answers.push(await subscribe(stack, extension(url)));
    expect(answers.map((answer) => [answer.status, codeOf(answer)])).toEqual(
      outside.map(() => [403, 'CALLBACK_NOT_ALLOWED']),
    );
    expect(router.requests).toEqual([]);
    expect(elsewhere.requests).toEqual([]);
    expect(await refusals(stack, 'callback_not_allowed')).toBe(outside.length);
  });

  it('answers a malformed extension BAD_USER_INPUT, never a 5xx, and sends nothing', async () => {
    const url = `${router.url}/callback/sub-abuse`;
    const malformed: unknown[] = [
      'a string',
      [url],
      extension({ toString: null }),
      extension(url, { subscriptionId: 5 }),
      extension(url, { verifier: 'v'.repeat(257) }),
      extension('x'.repeat(3_000)),
      extension(url, { heartbeatIntervalMs: -1 }),
      extension(url, { heartbeatIntervalMs: 'fast' }),
      extension(url, { heartbeatIntervalMs: 1.5 }),
    ];
    const answers = [];
    for (const subscription of malformed) answers.push(await subscribe(stack, subscription));
    expect(answers.map((answer) => [answer.status, codeOf(answer)])).toEqual(
      malformed.map(() => [400, 'BAD_USER_INPUT']),
    );
    expect(router.requests).toEqual([]);
  });

  it('raises a heartbeat interval of 1 ms to the floor of a second', async () => {
    const answer = await subscribe(
      stack,
      extension(`${router.url}/callback/fast-1`, { subscriptionId: 'fast-1', heartbeatIntervalMs: 1 }),
    );
    expect(answer.status).toBe(200);
    const checks = () =>
      router.requests.filter((request) => request.path === '/callback/fast-1' && request.body.includes('"check"'))
        .length;
    await until(() => checks() >= 3, 'two heartbeats after the first check');
    // At 1 ms there would have been about two thousand by now.
    expect(checks()).toBe(3);
  });

  it('never follows a redirect, and answers a failed check the same whatever the target did', async () => {
    const cases = ['redirect-1', 'forbidden-1', 'broken-1', 'hangs-1'];
    const answers: RecordedResponse[] = [];
    for (const id of cases)
      answers.push(await subscribe(stack, extension(`${router.url}/callback/${id}`, { subscriptionId: id })));
    answers.push(
      await subscribe(
        stack,
        extension(`http://127.0.0.1:${deadPort}/callback/closed-1`, { subscriptionId: 'closed-1' }),
      ),
    );
    const expected = {
      data: null,
      errors: [{ message: CHECK_FAILED_MESSAGE, extensions: { code: 'CALLBACK_CHECK_FAILED' } }],
    };
    expect(answers.map((answer) => [answer.status, JSON.parse(answer.text)])).toEqual(
      answers.map(() => [400, expected]),
    );
    expect(elsewhere.requests).toEqual([]);
    // A 3xx or 4xx ends at once; a 5xx and a timeout are retried, three attempts in all.
    const attempts = (id: string) => router.requests.filter((request) => request.path === `/callback/${id}`);
    expect(cases.map((id) => attempts(id).length)).toEqual([1, 1, 3, 3]);
    expect(attempts('hangs-1').map((request) => request.abandoned)).toEqual([true, true, true]);
    expect(await refusals(stack, 'callback_check_failed')).toBe(5);
  });
});

describe('callback requests at shutdown and under the subscription cap', () => {
  const run = async (env: Record<string, string>) => {
    const router = await startHttpTarget(routerLike(() => 'http://127.0.0.1:1'));
    const stack = await startTestStack({
      SUBSCRIPTION_CALLBACK_URLS: `${router.url}/callback`,
      SUBSCRIPTION_MAX_ACTIVE: '1',
      ...env,
    });
    stack.emulator.scriptTask('tencent-mps', 'callback-shutdown-task');
    return { router, stack };
  };
  const actions = (router: HttpTarget, id: string) =>
    router.requests
      .filter((request) => request.path === `/callback/${id}`)
      .map((request) => (JSON.parse(request.body) as { action: string }).action);

  it('refuses a subscription past SUBSCRIPTION_MAX_ACTIVE before any check; a receiver that never answers complete gets three timed-out attempts', async () => {
    const { router, stack } = await run({ SUBSCRIPTION_CALLBACK_TIMEOUT_MS: '300' });
    try {
      const first = await subscribe(
        stack,
        extension(`${router.url}/callback/nocomplete-1`, { subscriptionId: 'nocomplete-1' }),
        'callback-shutdown-task',
      );
      expect(first.status).toBe(200);
      await until(() => actions(router, 'nocomplete-1').includes('next'), 'the first next');
      const second = await subscribe(
        stack,
        extension(`${router.url}/callback/second-1`, { subscriptionId: 'second-1' }),
        'callback-shutdown-task',
      );
      expect([second.status, codeOf(second)]).toEqual([429, 'SUBSCRIPTION_LIMIT']);
      expect(actions(router, 'second-1')).toEqual([]);
      expect(await refusals(stack, 'subscription_limit')).toBe(1);
      await stack.app.stop();
      expect(actions(router, 'nocomplete-1')).toEqual(['check', 'next', 'complete', 'complete', 'complete']);
      expect(router.actions('complete').map((request) => request.abandoned)).toEqual([true, true, true]);
    } finally {
      await stack.stop();
      await router.close();
    }
  });

  it('ends the drain at SHUTDOWN_GRACE_MS whatever the callback timeout, aborting what is still unanswered', async () => {
    const { router, stack } = await run({
      SUBSCRIPTION_CALLBACK_TIMEOUT_MS: '60000',
      REQUEST_DEADLINE_MS: '1000',
      SHUTDOWN_GRACE_MS: '1000',
    });
    try {
      await subscribe(
        stack,
        extension(`${router.url}/callback/nocomplete-2`, { subscriptionId: 'nocomplete-2' }),
        'callback-shutdown-task',
      );
      await until(() => actions(router, 'nocomplete-2').includes('next'), 'the first next');
      await stack.app.stop();
      await until(
        () => router.actions('complete').every((request) => request.abandoned),
        'the complete request closed',
      );
      expect(actions(router, 'nocomplete-2')).toEqual(['check', 'next', 'complete']);
    } finally {
      await stack.stop();
      await router.close();
    }
  });
});
