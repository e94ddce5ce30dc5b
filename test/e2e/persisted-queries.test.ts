/**
 * Automatic persisted queries (Apollo's `extensions.persistedQuery`): a caller's mistakes
 * in that extension are the caller's, never INTERNAL_SERVER_ERROR (issue 9, defect 6).
 * Apollo's documented codes stay where Apollo has one; the rest are 400 BAD_USER_INPUT.
 */
import { createHash } from 'node:crypto';
import { startTestStack, type RecordedResponse, type TestStack } from '../support/stack.js';

const QUERY = '{ __typename }';
const HASH = createHash('sha256').update(QUERY).digest('hex');

interface Body {
  data?: unknown;
  errors?: Array<{ message: string; extensions?: { code?: unknown } }>;
}

describe('persisted-query extensions', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const post = (body: unknown): Promise<RecordedResponse> =>
    stack.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const get = (params: Record<string, string>): Promise<RecordedResponse> =>
    stack.request(`/graphql?${new URLSearchParams(params).toString()}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });

  /** The request's one log line, which must not be at error level (50) for a caller's mistake. */
  const logLineOf = (response: RecordedResponse): { level: number; msg: string } => {
    const lines = stack.logLines.filter((line) => line.includes(`"requestId":"${response.headers['x-request-id']}"`));
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0]!) as { level: number; msg: string };
  };

  const expectAnswer = (response: RecordedResponse, status: number, code: string): void => {
    const body = JSON.parse(response.text) as Body;
    expect({ status: response.status, codes: body.errors?.map((error) => error.extensions?.code) }).toEqual({
      status,
      codes: [code],
    });
    expect(logLineOf(response).level).toBeLessThan(50);
  };

  const badShapes: Array<[string, unknown]> = [
    ['a wrong version', { version: 2, sha256Hash: HASH }],
    ['no version', { sha256Hash: HASH }],
    ['a string instead of an object', 'x'],
    ['a number instead of an object', 1],
    ['an array instead of an object', [1]],
  ];

  it.each(badShapes)('POST with %s is 400 BAD_USER_INPUT', async (_name, persistedQuery) => {
    expectAnswer(await post({ query: QUERY, extensions: { persistedQuery } }), 400, 'BAD_USER_INPUT');
    expectAnswer(await post({ extensions: { persistedQuery } }), 400, 'BAD_USER_INPUT');
  });

  it.each(badShapes)('GET with %s is 400 BAD_USER_INPUT', async (_name, persistedQuery) => {
    expectAnswer(await get({ query: QUERY, extensions: JSON.stringify({ persistedQuery }) }), 400, 'BAD_USER_INPUT');
    expectAnswer(await get({ extensions: JSON.stringify({ persistedQuery }) }), 400, 'BAD_USER_INPUT');
  });

  it('a hash that does not match the query is 400 BAD_USER_INPUT, POST and GET', async () => {
    const persistedQuery = { version: 1, sha256Hash: '0'.repeat(64) };
    expectAnswer(await post({ query: QUERY, extensions: { persistedQuery } }), 400, 'BAD_USER_INPUT');
    expectAnswer(await get({ query: QUERY, extensions: JSON.stringify({ persistedQuery }) }), 400, 'BAD_USER_INPUT');
    expectAnswer(
      await post({ query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: 42 } } }),
      400,
      'BAD_USER_INPUT',
    );
  });

  it('an unknown hash keeps Apollo\u2019s PERSISTED_QUERY_NOT_FOUND, so clients send the query', async () => {
    const response = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expectAnswer(response, 200, 'PERSISTED_QUERY_NOT_FOUND');
  });

  it('registers and then serves a persisted query', async () => {
    const persistedQuery = { version: 1, sha256Hash: HASH };
    const registered = await post({ query: QUERY, extensions: { persistedQuery } });
    expect(JSON.parse(registered.text)).toEqual({ data: { __typename: 'Query' } });
    const served = await get({ extensions: JSON.stringify({ persistedQuery }) });
    expect(JSON.parse(served.text)).toEqual({ data: { __typename: 'Query' } });
  });

  it('counts none of them as INTERNAL_SERVER_ERROR', async () => {
    const metrics = await stack.request('/metrics');
    expect(metrics.text).not.toMatch(/graphql_errors_total\{code="INTERNAL_SERVER_ERROR"\}/);
  });
});
