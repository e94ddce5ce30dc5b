/**
 * Bounded `variables` and `extensions` (issue 9, defect 1): about 10 KB of nested arrays,
 * even in a variable the document never uses, used to overflow the stack while Apollo's
 * response cache built its key, answering 500 with no request log line. Now they are
 * measured first and refused with 400 BAD_USER_INPUT naming the limit, POST and GET alike,
 * logged and counted like every other refusal.
 */
import { SEED } from '../../src/emulator/index.js';
import { startTestStack, type RecordedResponse, type TestStack } from '../support/stack.js';

/** As JSON text: a value this deep would overflow JSON.stringify in the test itself. */
const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
/** About 10 KB. */
const DEEP = nested(5_000);

function refusedCount(metricsText: string, reason: string): number {
  const match = new RegExp(`^http_requests_refused_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metricsText);
  return match ? Number(match[1]) : 0;
}

describe('bounded variables and extensions', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The response cache is what walked every variable; it only runs with caching on.
    stack = await startTestStack({ CACHE_MAX_ENTRIES: '100', MAX_INPUT_DEPTH: '8', MAX_INPUT_VALUES: '1000' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const post = (body: unknown): Promise<RecordedResponse> => postText(JSON.stringify(body));
  const postText = (body: string): Promise<RecordedResponse> =>
    stack.request('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const get = (params: Record<string, string>): Promise<RecordedResponse> =>
    stack.request(`/graphql?${new URLSearchParams(params).toString()}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });

  const expectRefusal = (response: RecordedResponse, message: string): void => {
    const reason = message.includes('MAX_INPUT_DEPTH') ? 'input_too_deep' : 'input_too_large';
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
    const requestId = response.headers['x-request-id'];
    const lines = stack.logLines.filter((line) => line.includes(`"requestId":"${requestId}"`));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'request refused', status: 400, reason });
  };

  it('refuses ~10 KB of nested arrays in an unused POST variable with 400, not 500', async () => {
    const response = await postText(`{"query":"{__typename}","variables":{"x":${DEEP}}}`);
    expectRefusal(response, '`variables` nests deeper than 8 levels; the limit is 8 levels (MAX_INPUT_DEPTH)');
  });

  it('refuses it when the edge cache read the body (a miss is handed on to Express parsed), every time', async () => {
    const body = `{"query":"{ imageTask(taskId: \\"${SEED.image.docExampleFinished}\\") { taskId } }","variables":{"x":${DEEP}}}`;
    expect((await postText(body)).status).toBe(400);
    expect((await postText(body)).status).toBe(400);
  });

  it('refuses deep `extensions` in a POST body', async () => {
    const response = await postText(`{"query":"{__typename}","extensions":{"x":${DEEP}}}`);
    expectRefusal(response, '`extensions` nests deeper than 8 levels; the limit is 8 levels (MAX_INPUT_DEPTH)');
  });

  it('refuses too many values, POST', async () => {
    const response = await post({
      query: '{ __typename }',
      variables: { x: Array.from({ length: 1_000 }, (_, i) => i) },
    });
    expectRefusal(response, '`variables` holds more than 1000 values; the limit is 1000 values (MAX_INPUT_VALUES)');
  });

  it('refuses deep `variables` and `extensions` in a GET query string', async () => {
    const deep = nested(2_000);
    expectRefusal(
      await get({ query: '{ __typename }', variables: `{"x":${deep}}` }),
      '`variables` nests deeper than 8 levels; the limit is 8 levels (MAX_INPUT_DEPTH)',
    );
    expectRefusal(
      await get({ query: '{ __typename }', extensions: `{"x":${deep}}` }),
      '`extensions` nests deeper than 8 levels; the limit is 8 levels (MAX_INPUT_DEPTH)',
    );
  });

  it('refuses too many values in a GET query string', async () => {
    const many = JSON.stringify({ x: Array.from({ length: 1_000 }, () => 1) });
    expectRefusal(
      await get({ query: '{ __typename }', variables: many }),
      '`variables` holds more than 1000 values; the limit is 1000 values (MAX_INPUT_VALUES)',
    );
  });

  it('counts each refusal by reason', async () => {
    const before = await stack.request('/metrics');
    await postText(`{"query":"{__typename}","variables":{"x":${DEEP}}}`);
    await post({ query: '{ __typename }', variables: { x: Array.from({ length: 2_000 }, () => 0) } });
    const after = await stack.request('/metrics');
    expect(refusedCount(after.text, 'input_too_deep') - refusedCount(before.text, 'input_too_deep')).toBe(1);
    expect(refusedCount(after.text, 'input_too_large') - refusedCount(before.text, 'input_too_large')).toBe(1);
  });

  it('still accepts a router _entities batch and a persisted-query extension at these limits', async () => {
    const representations = Array.from({ length: 300 }, () => ({
      __typename: 'ImageTask',
      taskId: SEED.image.docExampleFinished,
    }));
    const response = await post({
      query:
        'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ImageTask { taskId } } }',
      variables: { representations },
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).errors).toBeUndefined();
    const get200 = await get({ query: '{ __typename }', variables: '{"a":{"b":[[1]]}}', extensions: '{}' });
    expect(get200.status).toBe(200);
  });
});
