/**
 * Bad input, property-based (fast-check), over real HTTP: task ids of any text, lists of
 * any size, variables of any JSON shape, variables and extensions nested to any depth,
 * persisted-query extensions of any shape, mangled GraphQL documents, bodies that are not
 * JSON, wrong content types, missing router secret. Every answer must be a well-formed
 * GraphQL response or GraphQL-shaped HTTP error (test/reliability/support.ts
 * `answerProblem`): never a 5xx, never INTERNAL_SERVER_ERROR, never a stack trace, and
 * never a hang (each request has a time limit).
 */
import fc from 'fast-check';
import { startTestStack, type TestStack } from '../support/stack.js';
import { BASE_ENV, RELIABILITY_CREDENTIALS, SIZES, answerProblem, post, type GraphQLBody } from './support.js';

const ONE =
  'query One($id: ID!) { imageTask(taskId: $id) { taskId state } workflowTask(taskId: $id) { taskId state } }';
const LIST =
  'query List($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId state } workflowTasks(taskIds: $ids) { taskId state } }';
const ENTITIES =
  'query E($representations: [_Any!]!) { _entities(representations: $representations) { ... on ImageTask { taskId state } ... on WorkflowTask { taskId state } } }';
const DOCUMENTS = [
  ONE,
  LIST,
  ENTITIES,
  '{ imageTask(taskId: "x") { taskId results { status output { path } } } }',
  '{ __typename }',
];

/** The same alphabet rule as src/resolvers/task-ids.ts, restated so the test does not trust the code it checks. */
const acceptable = (taskId: string): boolean =>
  taskId.length >= 1 && taskId.length <= 128 && /^[A-Za-z0-9_.:*-]+$/.test(taskId);

/** Ids that look real, ids that are almost right, and arbitrary text. */
const taskIdArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.:*-]{1,40}$/),
  fc.string({ minLength: 0, maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '../../etc/passwd',
    '${jndi:ldap://x}',
    'a'.repeat(128),
    'a'.repeat(129),
    '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4',
  ),
);

const seedRuns = { numRuns: SIZES.fuzzRuns, interruptAfterTimeLimit: 120_000 } as const;

describe('reliability: bad input fuzz', () => {
  let stack: TestStack;
  const problems: string[] = [];
  let requests = 0;

  beforeAll(async () => {
    stack = await startTestStack(
      // Quota is not under test: at the real budget the fuzz would mostly measure the queue.
      { ...BASE_ENV, MPS_RATE_LIMIT_RPS: '100000', ICE_RATE_LIMIT_RPS: '100000', CACHE_MAX_ENTRIES: '1000' },
      RELIABILITY_CREDENTIALS,
    );
  });
  afterAll(async () => {
    process.stdout.write(`[reliability] fuzz: ${JSON.stringify({ requests, badAnswers: problems.length })}\n`);
    await stack?.stop();
  });

  /** Sends, checks the answer's shape, returns the parsed body for property-specific checks. */
  async function send(
    body: string,
    headers: Record<string, string> = {},
    path = '/',
  ): Promise<{ status: number; body: GraphQLBody }> {
    requests += 1;
    const response = await post(stack, body, { headers, path, timeoutMs: 10_000 });
    const problem = answerProblem(response);
    if (problem) problems.push(`${problem} for ${body.slice(0, 200)}`);
    expect(problem).toBeNull();
    return { status: response.status, body: JSON.parse(response.text) as GraphQLBody };
  }

  it('task ids of any text: data or NOT_FOUND when acceptable, BAD_USER_INPUT otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(taskIdArb, async (taskId) => {
        const { status, body } = await send(JSON.stringify({ query: ONE, variables: { id: taskId } }));
        expect(status).toBe(200);
        const codes = new Set((body.errors ?? []).map((error) => error.extensions?.code));
        if (acceptable(taskId)) {
          for (const code of codes) expect(['NOT_FOUND']).toContain(code);
        } else {
          expect([...codes]).toEqual(['BAD_USER_INPUT']);
          expect(body.data).toEqual({ imageTask: null, workflowTask: null });
        }
      }),
      seedRuns,
    );
  });

  it('lists of any size and content: over MAX_TASK_IDS is BAD_USER_INPUT, otherwise one entry per id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(taskIdArb, { maxLength: 130 }), async (ids) => {
        const { status, body } = await send(JSON.stringify({ query: LIST, variables: { ids } }));
        expect(status).toBe(200);
        if (ids.length > 100) {
          expect(new Set(body.errors?.map((error) => error.extensions?.code))).toEqual(new Set(['BAD_USER_INPUT']));
        } else {
          expect((body.data?.['imageTasks'] as unknown[]).length).toBe(ids.length);
          expect((body.data?.['workflowTasks'] as unknown[]).length).toBe(ids.length);
        }
      }),
      { ...seedRuns, numRuns: Math.ceil(SIZES.fuzzRuns / 2) },
    );
  });

  it('variables and representations of any JSON shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(ONE, LIST, ENTITIES),
        fc.jsonValue({ maxDepth: 3 }),
        fc.jsonValue({ maxDepth: 3 }),
        async (query, value, other) => {
          await send(
            JSON.stringify({ query, variables: { id: value, ids: value, representations: value, extra: other } }),
          );
          await send(JSON.stringify({ query, variables: value, operationName: other }));
          await send(
            JSON.stringify({
              query: ENTITIES,
              variables: { representations: [{ __typename: 'ImageTask', taskId: value }, other] },
            }),
          );
        },
      ),
      seedRuns,
    );
  });

  it('mangled GraphQL documents: truncated, spliced and random text', async () => {
    const mangled = fc.oneof(
      fc
        .tuple(fc.constantFrom(...DOCUMENTS), fc.nat(), fc.nat())
        .map(([doc, a, b]) => doc.slice(Math.min(a, b) % doc.length, Math.max(a, b) % (doc.length + 1))),
      fc
        .tuple(fc.constantFrom(...DOCUMENTS), fc.nat(), fc.string({ maxLength: 8 }))
        .map(([doc, at, insert]) => doc.slice(0, at % doc.length) + insert + doc.slice(at % doc.length)),
      fc.string({ maxLength: 300 }),
      fc.constantFrom(
        '{'.repeat(500),
        `{ ${'a: __typename '.repeat(500)}}`,
        'mutation { x }',
        'subscription { x }',
        'query A { __typename } query B { __typename }',
      ),
    );
    await fc.assert(
      fc.asyncProperty(mangled, fc.option(fc.string({ maxLength: 20 })), async (query, operationName) => {
        await send(JSON.stringify({ query, variables: {}, ...(operationName !== null && { operationName }) }));
      }),
      seedRuns,
    );
  });

  it('bodies that are not GraphQL requests, wrong content types, other paths', async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.constantFrom(
        '',
        '{',
        '{"query":',
        'null',
        '[]',
        '[{"query":"{ __typename }"}]',
        '{"query": 42}',
        '{"query":"{ __typename }","variables":"x"}',
        '\uFEFF{}',
      ),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/graphql',
      'multipart/form-data',
      'application/x-www-form-urlencoded',
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, fc.constantFrom('/', '/graphql'), async (text, type, path) => {
        const { status } = await send(text, { 'content-type': type, 'apollo-require-preflight': 'true' }, path);
        expect([200, 400, 405, 413, 415]).toContain(status);
      }),
      seedRuns,
    );
  });

  it('variables and extensions nested to any depth, and persisted-query extensions of any shape', async () => {
    // Built as text: JSON.stringify itself recurses, and these go far deeper than it can.
    const nested = fc
      .tuple(
        fc.integer({ min: 1, max: 30_000 }),
        fc.constantFrom(['[', ']'], ['{"a":', '}'], ['[{"a":', '}]']),
        fc.constantFrom('1', '[]', '{}', '"x"'),
      )
      .map(([levels, [open, close], leaf]) => `${open!.repeat(levels)}${leaf}${close!.repeat(levels)}`)
      .filter((text) => text.length < 90 * 1024);
    await fc.assert(
      fc.asyncProperty(
        nested,
        fc.constantFrom('variables', 'extensions'),
        fc.anything(),
        fc.constantFrom(undefined, '{ __typename }'),
        async (value, part, persistedQuery, query) => {
          const { status } = await send(`{"query":"{ __typename }","${part}":{"x":${value}}}`);
          expect([200, 400]).toContain(status);
          const persisted = await send(
            JSON.stringify({ ...(query !== undefined && { query }), extensions: { persistedQuery } }),
          );
          for (const error of persisted.body.errors ?? [])
            expect(['BAD_USER_INPUT', 'PERSISTED_QUERY_NOT_FOUND']).toContain(error.extensions?.code);
        },
      ),
      { ...seedRuns, numRuns: Math.ceil(SIZES.fuzzRuns / 2) },
    );
  });

  it('bodies over BODY_LIMIT_BYTES are refused with 413 in GraphQL shape', async () => {
    const ids = Array.from({ length: 12_000 }, (_, index) => `id-${index}`);
    const { status, body } = await send(JSON.stringify({ query: LIST, variables: { ids } }));
    expect(status).toBe(413);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('requests without the router secret, or with a wrong one, are refused with 401 in GraphQL shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.string({ maxLength: 64 }).filter((value) => /^[\x21-\x7e]*$/.test(value))),
        async (secret) => {
          const headers = secret === null ? { 'router-authorization': '' } : { 'router-authorization': secret };
          const { status, body } = await send(JSON.stringify({ query: '{ __typename }' }), headers);
          expect(status).toBe(401);
          expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        },
      ),
      { ...seedRuns, numRuns: Math.ceil(SIZES.fuzzRuns / 4) },
    );
  });

  it('left no bad answer and no secret behind', () => {
    expect(problems).toEqual([]);
    expect(stack.leakedSecrets()).toEqual([]);
  });
});
