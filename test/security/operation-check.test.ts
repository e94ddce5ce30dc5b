/**
 * The one operation check: its stages in order, each refusal with its code, and the caller stage
 * reading whatever the transport presents (HTTP headers, WebSocket connection parameters).
 */
import { buildSchema } from '../../src/schema.js';
import { createOperationCheck, type OperationRequest } from '../../src/security/operation-check.js';

const check = createOperationCheck({
  schema: buildSchema(),
  queryLimits: { maxDepth: 4, maxAliases: 2, maxTokens: 200, maxCost: 10 },
  inputBounds: { maxDepth: 3, maxValues: 20 },
  routerSecret: { secret: 'router-secret-0123456789abcdef', header: 'router-authorization' },
  exposeSchema: false,
  allowedOrigins: ['https://app.example'],
});

const request = (query: unknown, rest: Partial<OperationRequest> = {}): OperationRequest => ({
  query,
  operationName: undefined,
  variables: undefined,
  extensions: undefined,
  ...rest,
});

function refusals(input: OperationRequest): Array<[string, unknown]> {
  const checked = check.request(input);
  return 'errors' in checked ? checked.errors.map((error) => [error.message, error.extensions.code]) : [];
}

describe('operation check: the stages after the caller', () => {
  it('resolves a valid operation, the named one of several', () => {
    const checked = check.request(
      request('query A { imageTask(taskId: "a") { taskId } } query B { __typename }', { operationName: 'B' }),
    );
    expect('resolved' in checked && checked.resolved.operation.name?.value).toBe('B');
  });

  it('refuses input over its bounds before it parses anything', () => {
    expect(refusals(request('not graphql at all {', { variables: { a: [[[1]]] } }))).toEqual([
      ['`variables` nests deeper than 3 levels; the limit is 3 levels (MAX_INPUT_DEPTH)', 'BAD_USER_INPUT'],
    ]);
  });

  it('labels parse failures as Apollo does, and the token limit as a limit', () => {
    expect(refusals(request(42))).toEqual([['The query must be a string', 'BAD_USER_INPUT']]);
    expect(refusals(request('{'))[0]?.[1]).toBe('GRAPHQL_PARSE_FAILED');
    const long = `{ ${Array.from({ length: 150 }, (_, i) => `f${i}: __typename`).join(' ')} }`;
    expect(refusals(request(long))).toEqual([
      ['Query has more than 200 tokens; the limit is 200 tokens (MAX_QUERY_TOKENS)', 'BAD_USER_INPUT'],
    ]);
  });

  it('runs graphql-js rules and ours, keeping our codes', () => {
    expect(refusals(request('{ nope }'))).toEqual([
      ['Cannot query field "nope" on type "Query".', 'GRAPHQL_VALIDATION_FAILED'],
    ]);
    expect(refusals(request('{ a: __typename b: __typename c: __typename }'))).toEqual([
      ['Query uses 3 aliases; the limit is 2 aliases (MAX_QUERY_ALIASES)', 'BAD_USER_INPUT'],
    ]);
    expect(refusals(request('{ __schema { queryType { name } } }'))[0]?.[1]).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('asks for an operation name when the document has several', () => {
    expect(refusals(request('query A { __typename } query B { __typename }'))).toEqual([
      ['Unable to identify the operation to run: name it with operationName', 'BAD_USER_INPUT'],
    ]);
  });

  it('refuses a resolved operation over its cost, counting list variables', () => {
    const query = 'query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }';
    expect(refusals(request(query, { variables: { ids: ['a', 'b', 'c', 'd', 'e'] } }))).toEqual([]);
    expect(refusals(request(query, { variables: { ids: ['a', 'b', 'c', 'd', 'e', 'f'] } }))).toEqual([
      [
        'Query costs 12; the limit is 10 (MAX_QUERY_COST): fields selected, multiplied by the length of each taskIds or representations list',
        'BAD_USER_INPUT',
      ],
    ]);
  });
});

describe('operation check: the caller stage', () => {
  const presented = (values: Record<string, unknown>) => (name: string) => values[name];

  it('admits the router secret under its name, from whichever source the transport reads', () => {
    expect(check.caller(presented({ 'router-authorization': 'router-secret-0123456789abcdef' }))).toBeNull();
  });

  it('says whether the secret is missing or wrong, with the same code either way', () => {
    expect(check.caller(presented({}))).toEqual({
      reason: 'unauthenticated',
      status: 401,
      code: 'UNAUTHENTICATED',
      message: 'This subgraph accepts requests from the router only: the router-authorization header is missing',
    });
    expect(check.caller(presented({ 'router-authorization': 42 }))?.message).toBe(
      'This subgraph accepts requests from the router only: the router-authorization header does not match',
    );
  });

  it('admits every caller when no secret is configured, and introspection when the schema is exposed', () => {
    const open = createOperationCheck({
      schema: buildSchema(),
      queryLimits: { maxDepth: 4, maxAliases: 2, maxTokens: 200, maxCost: 10 },
      inputBounds: { maxDepth: 3, maxValues: 20 },
      routerSecret: null,
      exposeSchema: true,
      allowedOrigins: [],
    });
    expect(open.caller(presented({}))).toBeNull();
    expect('resolved' in open.request(request('{ __schema { queryType { name } } }'))).toBe(true);
  });

  it('admits a browser from its own origin (Origin host = Host, either scheme) or an allowed one, and no Origin at all', () => {
    const secret = { 'router-authorization': 'router-secret-0123456789abcdef' };
    expect(
      check.caller(presented({ ...secret, origin: 'http://subgraph.internal:4001', host: 'subgraph.internal:4001' })),
    ).toBeNull();
    expect(
      check.caller(presented({ ...secret, origin: 'https://Subgraph.Internal:4001', host: 'subgraph.internal:4001' })),
    ).toBeNull();
    expect(
      check.caller(presented({ ...secret, origin: 'https://app.example', host: 'subgraph.internal:4001' })),
    ).toBeNull();
    expect(check.caller(presented({ ...secret, host: 'subgraph.internal:4001' }))).toBeNull();
  });

  it('refuses any other origin before the secret is looked at, with ORIGIN_NOT_ALLOWED', () => {
    const refused = [
      'https://evil.example',
      'http://subgraph.internal:4002',
      'null',
      'file:///tmp/page.html',
      'https://app.example.evil.example',
      42,
    ];
    expect(refused.map((origin) => check.caller(presented({ origin, host: 'subgraph.internal:4001' }))?.code)).toEqual(
      refused.map(() => 'ORIGIN_NOT_ALLOWED'),
    );
    expect(check.caller(presented({ origin: 'https://evil.example', host: 'subgraph.internal:4001' }))).toEqual({
      reason: 'origin_not_allowed',
      status: 403,
      code: 'ORIGIN_NOT_ALLOWED',
      message: "Browser requests are accepted from this subgraph's own origin and from WEBSOCKET_ALLOWED_ORIGINS only",
    });
  });
});
