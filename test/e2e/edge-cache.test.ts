/**
 * The edge cache in the running app, over real HTTP against the emulator: a repeated
 * poll of finished tasks is answered with the same bytes before Express and Apollo, with
 * its own request id, log line and metrics; answers with errors, federated-trace
 * requests, requests without the router's secret and malformed bodies are not.
 */
import { SEED } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const POLL = 'query Poll($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId state finishTime } }';
const SECRET = 'edge-cache-router-secret-0123456789';

function post(stack: TestStack, body: string, headers: Record<string, string> = {}): ReturnType<TestStack['request']> {
  return stack.request('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

function lineOf(stack: TestStack, requestId: string): Record<string, unknown> | undefined {
  return stack.logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => line['requestId'] === requestId);
}

describe('edge cache', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      CACHE_MAX_ENTRIES: '1000',
      CACHE_RUNNING_TTL_MS: '1000',
      CACHE_NOT_FOUND_TTL_MS: '0',
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => stack.emulator.resetCalls());

  it('answers a repeated poll of finished tasks with the same bytes, a fresh request id and no provider call', async () => {
    const body = JSON.stringify({
      query: POLL,
      variables: { ids: [SEED.image.finishedSuccess, SEED.image.docExampleFinished] },
    });
    const first = await post(stack, body, { 'x-request-id': 'edge-first' });
    expect(stack.emulator.callCount()).toBe(2);
    const second = await post(stack, body, { 'x-request-id': 'edge-second' });
    expect(stack.emulator.callCount()).toBe(2);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.headers['x-request-id']).toBe('edge-second');
    expect(second.headers['cache-control']).toBe(first.headers['cache-control']);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(second.headers['age']).toMatch(/^\d+$/);
    expect(lineOf(stack, 'edge-first')).toMatchObject({ edgeCacheHit: false, upstream: { calls: 2 } });
    expect(lineOf(stack, 'edge-second')).toMatchObject({
      msg: 'graphql request',
      operationName: 'Poll',
      outcome: 'ok',
      httpStatus: 200,
      responseCacheHit: true,
      edgeCacheHit: true,
      upstream: { calls: 0, cacheHits: 0 },
    });
    const metrics = (await stack.request('/metrics')).text;
    expect(metrics).toMatch(/graphql_requests_total\{operation="Poll",outcome="ok"\} 2/);
    expect(metrics).toMatch(/^edge_cache_hits_total 1$/m);
    expect(metrics).toMatch(/^edge_cache_entries 1$/m);
  });

  it('keeps a running task only for its max-age (CACHE_RUNNING_TTL_MS), as Cache-Control says', async () => {
    const body = JSON.stringify({ query: POLL, variables: { ids: [SEED.image.processing] } });
    const first = await post(stack, body);
    expect(first.headers['cache-control']).toBe('max-age=1, public');
    await post(stack, body);
    expect(stack.emulator.callCount()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await post(stack, body);
    expect(stack.emulator.callCount()).toBe(2);
  });

  it('never stores an answer with errors', async () => {
    const body = JSON.stringify({
      query: POLL,
      variables: { ids: [SEED.image.finishedSuccess, '24000089-WorkflowTask-edge-missing'] },
    });
    const first = await post(stack, body, { 'x-request-id': 'edge-error-1' });
    expect(first.headers['cache-control']).toBe('no-store');
    await post(stack, body, { 'x-request-id': 'edge-error-2' });
    expect(lineOf(stack, 'edge-error-2')).toMatchObject({ edgeCacheHit: false, errors: { NOT_FOUND: 1 } });
  });

  it('lets a federated-trace request through to Apollo, which answers with its trace', async () => {
    const body = JSON.stringify({ query: POLL, variables: { ids: [SEED.image.finishedSuccess] } });
    await post(stack, body);
    const traced = await post(stack, body, {
      'apollo-federation-include-trace': 'ftv1',
      'x-request-id': 'edge-traced',
    });
    expect(JSON.parse(traced.text)).toMatchObject({ extensions: { ftv1: expect.any(String) } });
    expect(lineOf(stack, 'edge-traced')).toMatchObject({ edgeCacheHit: false });
  });

  it('answers a body that is not JSON with BAD_USER_INPUT in GraphQL shape, and logs the refusal', async () => {
    const answer = await post(stack, '{"query": "{ imageTask(', { 'x-request-id': 'edge-bad-json' });
    expect(answer.status).toBe(400);
    expect(answer.headers['x-request-id']).toBe('edge-bad-json');
    expect(JSON.parse(answer.text)).toEqual({
      errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(lineOf(stack, 'edge-bad-json')).toMatchObject({ msg: 'request refused', reason: 'bad_request_body' });
  });

  describe('with SUBGRAPH_SHARED_SECRET set', () => {
    let secured: TestStack;
    beforeAll(async () => {
      secured = await startTestStack({ CACHE_MAX_ENTRIES: '1000', SUBGRAPH_SHARED_SECRET: SECRET });
    });
    afterAll(async () => {
      await secured?.stop();
    });

    it('answers from the cache only requests that carry the secret', async () => {
      const body = JSON.stringify({ query: POLL, variables: { ids: [SEED.image.finishedSuccess] } });
      const first = await post(secured, body, { 'router-authorization': SECRET });
      expect(first.status).toBe(200);
      const withoutSecret = await post(secured, body);
      expect(withoutSecret.status).toBe(401);
      const wrongSecret = await post(secured, body, { 'router-authorization': `${SECRET}x` });
      expect(wrongSecret.status).toBe(401);
      const again = await post(secured, body, { 'router-authorization': SECRET, 'x-request-id': 'edge-secured' });
      expect(again.text).toBe(first.text);
      expect(lineOf(secured, 'edge-secured')).toMatchObject({ edgeCacheHit: true });
    });
  });

  describe('answers exactly as Express and Apollo would', () => {
    let plain: TestStack;
    beforeAll(async () => {
      plain = await startTestStack({ CACHE_MAX_ENTRIES: '0' });
    });
    afterAll(async () => {
      await plain?.stop();
    });

    const finished = JSON.stringify({ query: POLL, variables: { ids: [SEED.image.finishedSuccess] } });
    it.each<[string, string, Record<string, string>]>([
      ['a cacheable query', finished, {}],
      ['the same query asking for graphql-response+json', finished, { accept: 'application/graphql-response+json' }],
      ['an empty body', '', {}],
      ['a blank body', '  \n ', {}],
      ['a JSON string', '"query"', {}],
      ['a batch', `[${finished}]`, {}],
      ['truncated JSON', finished.slice(0, 30), {}],
      ['a query with an unknown field', JSON.stringify({ query: '{ imageTask(taskId: "x") { nope } }' }), {}],
      ['a query without variables', JSON.stringify({ query: POLL }), {}],
      [
        'a query naming a missing operation',
        JSON.stringify({ query: POLL, operationName: 'Other', variables: { ids: [] } }),
        {},
      ],
    ])('for %s, first and repeated', async (_what, body, headers) => {
      const expected = await post(plain, body, headers);
      const first = await post(stack, body, headers);
      const repeated = await post(stack, body, headers);
      for (const answer of [first, repeated]) {
        expect(answer.status).toBe(expected.status);
        expect(answer.headers['content-type']).toBe(expected.headers['content-type']);
        expect(JSON.parse(answer.text)).toEqual(JSON.parse(expected.text));
      }
    });
  });
});
