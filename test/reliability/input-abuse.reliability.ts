/**
 * Input abuse over real HTTP (issue 9): nested and oversized `variables` and
 * `extensions` (POST and GET), persisted-query extensions of every shape, and
 * amplification attempts (aliases, `__typename` aliases and fields over long
 * `_entities` and `taskIds` lists). Each answer must be well formed (support.ts
 * `answerProblem`: never a 5xx, never INTERNAL_SERVER_ERROR), each request must leave
 * exactly one log line (`graphql request` or `request refused`), and refusals must
 * come before any provider call. Counts, not durations, are printed.
 */
import fetch from 'node-fetch';
import { SEED } from '../../src/emulator/index.js';
import { startTestStack, type RecordedResponse, type TestStack } from '../support/stack.js';
import { AUTH_HEADERS, BASE_ENV, RELIABILITY_CREDENTIALS, answerProblem, post, type GraphQLBody } from './support.js';

const IMAGE_ID = SEED.image.docExampleFinished;

/** JSON text of `levels` nested arrays or objects: built as text, a value this deep would overflow JSON.stringify here. */
const nestedArrays = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const nestedObjects = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const manyValues = (count: number): string => `[${Array.from({ length: count }, (_, i) => i % 10).join(',')}]`;

interface Figures {
  requests: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  logLines: number;
  missingLogLines: number;
  badAnswers: number;
  largestAnswerBytes: number;
  providerCallsOnRefusals: number;
}

describe('reliability: input abuse', () => {
  let stack: TestStack;
  const problems: string[] = [];
  const figures: Figures = {
    requests: 0,
    byStatus: {},
    byCode: {},
    logLines: 0,
    missingLogLines: 0,
    badAnswers: 0,
    largestAnswerBytes: 0,
    providerCallsOnRefusals: 0,
  };
  let sequence = 0;

  beforeAll(async () => {
    // Caches on: the response cache is what once walked every variable, and the edge cache reads every body first.
    stack = await startTestStack(
      { ...BASE_ENV, CACHE_MAX_ENTRIES: '1000', MPS_RATE_LIMIT_RPS: '100000', ICE_RATE_LIMIT_RPS: '100000' },
      RELIABILITY_CREDENTIALS,
    );
  });
  afterAll(async () => {
    process.stdout.write(`[reliability] input abuse: ${JSON.stringify(figures)}\n`);
    await stack?.stop();
  });

  /** Checks shape and log line of one answer; returns the parsed body. */
  function check(what: string, requestId: string, response: RecordedResponse): GraphQLBody {
    figures.requests += 1;
    figures.byStatus[response.status] = (figures.byStatus[response.status] ?? 0) + 1;
    figures.largestAnswerBytes = Math.max(figures.largestAnswerBytes, Buffer.byteLength(response.text));
    const problem = answerProblem(response);
    if (problem) {
      figures.badAnswers += 1;
      problems.push(`${what}: ${problem}`);
    }
    const lines = stack.logLines.filter(
      (line) => line.includes(`"requestId":"${requestId}"`) && /"msg":"(graphql request|request refused)"/.test(line),
    );
    figures.logLines += lines.length;
    if (lines.length !== 1) {
      figures.missingLogLines += 1;
      problems.push(`${what}: ${lines.length} request log lines`);
    }
    let body: GraphQLBody = {};
    try {
      body = JSON.parse(response.text) as GraphQLBody;
    } catch {
      // answerProblem has reported it.
    }
    for (const error of body.errors ?? []) {
      const code = String(error.extensions?.code);
      figures.byCode[code] = (figures.byCode[code] ?? 0) + 1;
    }
    return body;
  }

  const nextId = (): string => `abuse-${(sequence += 1)}`;

  async function sendPost(what: string, body: string): Promise<{ response: RecordedResponse; body: GraphQLBody }> {
    const requestId = nextId();
    const response = await post(stack, body, { headers: { 'x-request-id': requestId }, timeoutMs: 20_000 });
    return { response, body: check(what, requestId, response) };
  }

  async function sendGet(
    what: string,
    params: Record<string, string>,
  ): Promise<{ response: RecordedResponse; body: GraphQLBody }> {
    const requestId = nextId();
    const answer = await fetch(new URL(`/graphql?${new URLSearchParams(params).toString()}`, stack.url), {
      headers: { ...AUTH_HEADERS, 'apollo-require-preflight': 'true', 'x-request-id': requestId },
      signal: AbortSignal.timeout(20_000),
    });
    const response = {
      status: answer.status,
      headers: Object.fromEntries(answer.headers.entries()),
      text: await answer.text(),
    };
    stack.responses.push(response);
    return { response, body: check(what, requestId, response) };
  }

  /** Runs a refusal and counts provider calls it caused (must be none). */
  async function refusedWithoutCalls(
    run: () => Promise<{ response: RecordedResponse; body: GraphQLBody }>,
  ): Promise<{ response: RecordedResponse; body: GraphQLBody }> {
    stack.emulator.resetCalls();
    const result = await run();
    figures.providerCallsOnRefusals += stack.emulator.callCount();
    return result;
  }

  it('nested variables and extensions, POST and GET, at depths from 9 to 40,000: 400 BAD_USER_INPUT naming MAX_INPUT_DEPTH', async () => {
    for (const levels of [9, 50, 1_000, 5_000, 20_000, 40_000]) {
      for (const nested of [nestedArrays(levels), nestedObjects(levels)]) {
        for (const part of ['variables', 'extensions'] as const) {
          const postText = `{"query":"{__typename}","${part}":{"x":${nested}}}`;
          if (Buffer.byteLength(postText) <= 100 * 1024) {
            const { response, body } = await refusedWithoutCalls(() =>
              sendPost(`POST ${part} ${levels} deep`, postText),
            );
            expect(response.status).toBe(400);
            expect(body.errors?.[0]?.message).toContain('MAX_INPUT_DEPTH');
          }
          // Node's header limit (16 KB) bounds a GET's URL; past it Node itself answers 431.
          if (levels <= 1_000) {
            const { response, body } = await refusedWithoutCalls(() =>
              sendGet(`GET ${part} ${levels} deep`, { query: '{__typename}', [part]: `{"x":${nested}}` }),
            );
            expect(response.status).toBe(400);
            expect(body.errors?.[0]?.message).toContain('MAX_INPUT_DEPTH');
          }
        }
      }
    }
  });

  it('oversized variables and extensions, POST and GET: 400 naming MAX_INPUT_VALUES', async () => {
    for (const count of [10_001, 20_000, 45_000]) {
      for (const part of ['variables', 'extensions'] as const) {
        const { response, body } = await refusedWithoutCalls(() =>
          sendPost(`POST ${part} ${count} values`, `{"query":"{__typename}","${part}":{"x":${manyValues(count)}}}`),
        );
        expect(response.status).toBe(400);
        expect(body.errors?.[0]?.message).toContain('MAX_INPUT_VALUES');
      }
    }
    // Within the header limit a GET holds at most a few thousand values; the default bound is 10,000.
    const tight = await startTestStack({ ...BASE_ENV, MAX_INPUT_VALUES: '1000' }, RELIABILITY_CREDENTIALS);
    try {
      const requestId = nextId();
      const answer = await fetch(
        new URL(
          `/graphql?${new URLSearchParams({ query: '{__typename}', variables: `{"x":${manyValues(2_000)}}` }).toString()}`,
          tight.url,
        ),
        {
          headers: { ...AUTH_HEADERS, 'apollo-require-preflight': 'true', 'x-request-id': requestId },
        },
      );
      const text = await answer.text();
      figures.requests += 1;
      figures.byStatus[answer.status] = (figures.byStatus[answer.status] ?? 0) + 1;
      expect(answer.status).toBe(400);
      expect(text).toContain('MAX_INPUT_VALUES');
      const lines = tight.logLines.filter((line) => line.includes(`"requestId":"${requestId}"`));
      figures.logLines += lines.length;
      expect(lines).toHaveLength(1);
    } finally {
      await tight.stop();
    }
  });

  it('inputs just inside the bounds are answered normally', async () => {
    const representations = JSON.stringify(
      Array.from({ length: 500 }, () => ({ __typename: 'ImageTask', taskId: IMAGE_ID })),
    );
    const { response, body } = await sendPost(
      '500 representations',
      `{"query":"query ($r: [_Any!]!) { _entities(representations: $r) { ... on ImageTask { taskId state } } }","variables":{"r":${representations}},"extensions":{"x":${nestedArrays(7)}}}`,
    );
    expect(response.status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it('persisted-query extensions of every shape: documented codes or 400, never a 5xx or INTERNAL_SERVER_ERROR', async () => {
    const shapes: unknown[] = [
      null,
      true,
      0,
      1,
      'x',
      [],
      [1],
      {},
      { version: 1 },
      { version: '1', sha256Hash: 'a' },
      { version: 2, sha256Hash: 'a'.repeat(64) },
      { version: 1, sha256Hash: 'a'.repeat(64) },
      { version: 1, sha256Hash: 42 },
      { version: 1, sha256Hash: null },
      { version: 1, sha256Hash: ['a'] },
      { version: 1, sha256Hash: { a: 1 } },
      { version: -1 },
      { version: 1e308, sha256Hash: '' },
    ];
    for (const persistedQuery of shapes) {
      const extensions = JSON.stringify({ persistedQuery });
      for (const query of [undefined, '{ __typename }']) {
        const postBody = JSON.stringify({ ...(query !== undefined && { query }), extensions: { persistedQuery } });
        const posted = await sendPost(
          `POST persistedQuery ${extensions} ${query ? 'with' : 'without'} query`,
          postBody,
        );
        const got = await sendGet(`GET persistedQuery ${extensions}`, {
          ...(query !== undefined && { query }),
          extensions,
        });
        for (const { response, body } of [posted, got]) {
          for (const error of body.errors ?? [])
            expect(['BAD_USER_INPUT', 'PERSISTED_QUERY_NOT_FOUND']).toContain(error.extensions?.code);
          expect(response.status).toBeLessThan(500);
        }
      }
    }
  });

  it('amplification attempts are refused before any provider call', async () => {
    const aliases = (n: number, field: string): string =>
      Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');
    const representations = (n: number): string =>
      JSON.stringify(Array.from({ length: n }, (_, i) => ({ __typename: 'ImageTask', taskId: `x${i}` })));
    const entities = (selection: string): string =>
      JSON.stringify(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on ImageTask { ${selection} } } }`);
    const attempts: Array<[string, string]> = [
      ['16 __typename aliases', JSON.stringify({ query: `{ ${aliases(16, '__typename')} }` })],
      [
        '15 __typename aliases over 2,000 representations',
        `{"query":${entities(`${aliases(15, '__typename')} taskId`)},"variables":{"r":${representations(2_000)}}}`,
      ],
      [
        'every field over 2,000 representations',
        `{"query":${entities('taskId status state createTime finishTime durationSeconds requestId errCode errMsg message results { status progress output { path signedUrl storage } }')},"variables":{"r":${representations(2_000)}}}`,
      ],
      [
        '15 aliased lists of 100 ids, every field',
        JSON.stringify({
          query: `query ($ids: [ID!]!) { ${aliases(15, 'imageTasks(taskIds: $ids) { taskId state status requestId errCode errMsg message createTime finishTime durationSeconds results { status progress errMsg message output { path signedUrl storage } } }')} }`,
          variables: { ids: Array.from({ length: 100 }, (_, i) => `x${i}`) },
        }),
      ],
      [
        'a fragment spread 15 times over 100 literal ids',
        JSON.stringify({
          query: `{ ${aliases(15, `imageTasks(taskIds: [${Array.from({ length: 100 }, (_, i) => `"y${i}"`).join(',')}]) { ...F }`)} } fragment F on ImageTask { taskId state status requestId errCode errMsg message createTime finishTime durationSeconds results { status progress } }`,
        }),
      ],
    ];
    for (const [what, body] of attempts) {
      const { response, body: answer } = await refusedWithoutCalls(() => sendPost(what, body));
      expect(response.status).toBe(400);
      expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(answer.errors?.[0]?.message).toMatch(/MAX_QUERY_(ALIASES|COST)/);
    }
  });

  it('left no bad answer, no missing log line and no secret behind', () => {
    expect(problems).toEqual([]);
    expect(figures.providerCallsOnRefusals).toBe(0);
    // The largest answer is the 500-representation batch that is meant to pass (about 44 KB).
    expect(figures.largestAnswerBytes).toBeLessThan(100 * 1024);
    expect(stack.leakedSecrets()).toEqual([]);
  });
});
