/**
 * Bounded input over HTTP: query depth, aliases, tokens and body size. Every refusal is
 * a GraphQL-shaped BAD_USER_INPUT whose message names the limit, and comes before any
 * provider call.
 */
import fetch from 'node-fetch';
import { SEED } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const DEEPEST_WORKFLOW_SELECTION = 'workflow { graph { nodes { result { status } } } }';
const WORKFLOW_ID = SEED.workflow.succeeded;
const IMAGE_ID = SEED.image.docExampleFinished;

describe('bounded input', () => {
  let defaults: TestStack;
  let tight: TestStack;
  beforeAll(async () => {
    defaults = await startTestStack();
    tight = await startTestStack({
      MAX_QUERY_DEPTH: '5',
      MAX_QUERY_ALIASES: '3',
      MAX_QUERY_TOKENS: '200',
      BODY_LIMIT_BYTES: '4096',
      MAX_QUERY_COST: '1000',
    });
  });
  afterAll(async () => {
    await defaults?.stop();
    await tight?.stop();
  });
  beforeEach(() => {
    defaults.emulator.resetCalls();
    tight.emulator.resetCalls();
  });

  describe('with the default limits', () => {
    it('accepts the deepest real query, workflowTask > workflow > graph > nodes > result > status', async () => {
      const { status, body } = await defaults.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { ${DEEPEST_WORKFLOW_SELECTION} } }`,
        { id: WORKFLOW_ID },
      );
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    });

    it('accepts the same depth through _entities, as the router sends it', async () => {
      const { body } = await defaults.query(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) {
          ... on WorkflowTask { taskId ${DEEPEST_WORKFLOW_SELECTION} }
          ... on ImageTask { taskId results { output { path } } }
        } }`,
        {
          representations: [
            { __typename: 'WorkflowTask', taskId: WORKFLOW_ID },
            { __typename: 'ImageTask', taskId: IMAGE_ID },
          ],
        },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?._entities).toHaveLength(2);
    });

    it('accepts 500 _entities representations and refuses 501 before any provider call (MAX_ENTITY_REPRESENTATIONS)', async () => {
      const entities = (n: number) =>
        defaults.query(
          'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ImageTask { taskId } } }',
          {
            // One task named n times: DataLoader makes it one call, so only the count is under test.
            representations: Array.from({ length: n }, () => ({ __typename: 'ImageTask', taskId: IMAGE_ID })),
          },
        );
      const accepted = await entities(500);
      expect(accepted.body.errors).toBeUndefined();
      expect(accepted.body.data?._entities).toHaveLength(500);
      expect(defaults.emulator.callCount()).toBe(1);
      const refused = await entities(501);
      expect(refused.body.data).toBeNull();
      expect(refused.body.errors).toEqual([
        expect.objectContaining({
          message: 'representations has 501 entries; at most 500 are allowed per query (MAX_ENTITY_REPRESENTATIONS)',
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
      expect(defaults.emulator.callCount()).toBe(1);
    });

    it('accepts 15 aliases and refuses 16', async () => {
      const aliased = (n: number): string =>
        `{ ${Array.from({ length: n }, (_, i) => `a${i}: imageTask(taskId: "${IMAGE_ID}") { taskId }`).join(' ')} }`;
      const accepted = await defaults.query(aliased(15));
      expect(accepted.body.errors).toBeUndefined();
      const refused = await defaults.query(aliased(16));
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({
          message: 'Query uses 16 aliases; the limit is 15 aliases (MAX_QUERY_ALIASES)',
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
    });
  });

  describe('query cost: selected fields multiplied by list sizes', () => {
    const ENTITIES_FIELDS = (fields: string) =>
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ImageTask { ${fields} } } }`;
    const representations = (n: number, taskId = IMAGE_ID) =>
      Array.from({ length: n }, () => ({ __typename: 'ImageTask', taskId }));
    const countRequestLines = (stack: TestStack, requestId: string | null) =>
      stack.logLines.filter((line) => requestId !== null && line.includes(`"requestId":"${requestId}"`)).length;

    it('refuses the amplification of issue 9 (15 __typename aliases over a long _entities list) with 400, before any provider call', async () => {
      const aliases = Array.from({ length: 15 }, (_, i) => `t${i}: __typename`).join(' ');
      const response = await defaults.query(ENTITIES_FIELDS(`${aliases} taskId`), {
        representations: representations(1500, 'x'),
      });
      expect(response.status).toBe(400);
      expect(response.body.data).toBeUndefined();
      // (1 + 15 aliases + taskId) per representation, plus _entities itself, times 1500 representations.
      expect(response.body.errors).toEqual([
        {
          message:
            'Query costs 25500; the limit is 20000 (MAX_QUERY_COST): fields selected, multiplied by the length of each taskIds or representations list',
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ]);
      expect(defaults.emulator.callCount()).toBe(0);
      expect(countRequestLines(defaults, response.headers.get('x-request-id'))).toBe(1);
    });

    it('counts list variables, list literals and fragments spread twice', async () => {
      const literal = Array.from({ length: 30 }, (_, i) => `"i${i}"`).join(',');
      const fields = 'taskId status state createTime finishTime durationSeconds requestId errCode errMsg message';
      const { status, body } = await tight.query(
        `query ($ids: [ID!]!) { a: imageTasks(taskIds: $ids) { ...F } b: imageTasks(taskIds: [${literal}]) { ...F } } fragment F on ImageTask { ${fields} results { status } }`,
        { ids: Array.from({ length: 60 }, (_, i) => `v${i}`) },
      );
      // (1 + 10 fields + results { status }: 2) = 13 per task, times 60 + 30 tasks.
      expect(status).toBe(400);
      expect(body.errors?.[0]?.message).toMatch(/^Query costs 1170; the limit is 1000 \(MAX_QUERY_COST\)/);
      expect(tight.emulator.callCount()).toBe(0);
    });

    it('lets a router batch of 500 representations with a full selection through', async () => {
      const fields =
        'taskId status state createTime finishTime durationSeconds requestId results { status progress output { path storage } }';
      const { status, body } = await defaults.query(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename ... on ImageTask { ${fields} } ... on WorkflowTask { taskId state } } }`,
        { representations: representations(500) },
      );
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data?._entities).toHaveLength(500);
    });

    it('counts the refusal once, as BAD_USER_INPUT under the (refused) label', async () => {
      const metrics = async (): Promise<string> => (await defaults.request('/metrics')).text;
      const sampleOf = (text: string, series: string): number =>
        Number(new RegExp(`^${series.replace(/[(){}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      const before = await metrics();
      const aliases = Array.from({ length: 15 }, (_, i) => `t${i}: __typename`).join(' ');
      const { status } = await defaults.query(ENTITIES_FIELDS(`${aliases} taskId state status requestId`), {
        representations: representations(1500, 'x'),
      });
      expect(status).toBe(400);
      const after = await metrics();
      const series = 'graphql_requests_total{operation="(refused)",outcome="failed"}';
      expect(sampleOf(after, series) - sampleOf(before, series)).toBe(1);
      expect(
        sampleOf(after, 'graphql_errors_total{code="BAD_USER_INPUT"}') -
          sampleOf(before, 'graphql_errors_total{code="BAD_USER_INPUT"}'),
      ).toBe(1);
    });
  });

  describe('with tight limits', () => {
    it('refuses a query deeper than MAX_QUERY_DEPTH before calling any provider', async () => {
      const { status, body } = await tight.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { ${DEEPEST_WORKFLOW_SELECTION} } }`,
        { id: WORKFLOW_ID },
      );
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Query is 6 levels deep; the limit is 5 levels (MAX_QUERY_DEPTH)',
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
      expect(tight.emulator.callCount()).toBe(0);
    });

    it('counts depth through named fragments and does not count fragments as levels', async () => {
      const { body } = await tight.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { ...W } }
         fragment W on WorkflowTask { workflow { ...G } }
         fragment G on Workflow { graph { ... on WorkflowGraph { nodes { result { status } } } } }`,
        { id: WORKFLOW_ID },
      );
      expect(body.errors?.[0]).toMatchObject({
        message: 'Query is 6 levels deep; the limit is 5 levels (MAX_QUERY_DEPTH)',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      const shallower = await tight.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { ...W } } fragment W on WorkflowTask { workflow { graph { nodes { id } } } }`,
        {
          id: WORKFLOW_ID,
        },
      );
      expect(shallower.body.errors).toBeUndefined();
    });

    it('counts aliases inside fragments each time the fragment is spread', async () => {
      const { body } = await tight.query(
        `{ a: imageTasks(taskIds: ["${IMAGE_ID}"]) { ...F } b: imageTasks(taskIds: ["${IMAGE_ID}"]) { ...F } }
         fragment F on ImageTask { x: taskId }`,
      );
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Query uses 4 aliases; the limit is 3 aliases (MAX_QUERY_ALIASES)',
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
      expect(tight.emulator.callCount()).toBe(0);
    });

    it('counts __typename aliases like any other: multiplied by a list they amplify the response', async () => {
      const { status, body } = await tight.query(
        `{ imageTask(taskId: "${IMAGE_ID}") { t1: __typename t2: __typename t3: __typename t4: __typename taskId } }`,
      );
      expect(status).toBe(400);
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Query uses 4 aliases; the limit is 3 aliases (MAX_QUERY_ALIASES)',
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
      const three = await tight.query(
        `{ imageTask(taskId: "${IMAGE_ID}") { t1: __typename t2: __typename t3: __typename taskId } }`,
      );
      expect(three.body.errors).toBeUndefined();
    });

    it('refuses a document of more than MAX_QUERY_TOKENS tokens', async () => {
      const { status, body } = await tight.query(`{ imageTask(taskId: "${IMAGE_ID}") { ${'taskId '.repeat(250)} } }`);
      expect(status).toBe(400);
      expect(body.errors).toEqual([
        {
          message: 'Query has more than 200 tokens; the limit is 200 tokens (MAX_QUERY_TOKENS)',
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ]);
      expect(tight.emulator.callCount()).toBe(0);
    });

    it('keeps other syntax errors as GRAPHQL_PARSE_FAILED', async () => {
      const { status, body } = await tight.query('{ imageTask(taskId: ');
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    });

    it('answers a body over BODY_LIMIT_BYTES with 413 and a GraphQL-shaped BAD_USER_INPUT naming the limit', async () => {
      const response = await tight.request('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ imageTask(taskId: "${IMAGE_ID}") { taskId } }`,
          variables: { padding: 'x'.repeat(5000) },
        }),
      });
      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(response.text)).toEqual({
        errors: [
          {
            message: 'Request body is larger than the limit of 4096 bytes (BODY_LIMIT_BYTES)',
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      });
      expect(tight.emulator.callCount()).toBe(0);
    });

    it('refuses batched operations (a JSON array body), which would multiply every other limit', async () => {
      const response = await fetch(tight.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors[0]?.message).toMatch(/batch/i);
    });
  });
});
