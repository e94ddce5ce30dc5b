/**
 * Optional router authentication: with SUBGRAPH_SHARED_SECRET set, only requests that
 * carry it in the configured header reach GraphQL; the probes and /metrics stay open.
 */
import { SEED } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const SECRET = 'router-secret-0123456789abcdef';
const QUERY = `{ imageTask(taskId: "${SEED.image.docExampleFinished}") { state } }`;

describe('router authentication', () => {
  describe('with SUBGRAPH_SHARED_SECRET set', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ SUBGRAPH_SHARED_SECRET: SECRET });
    });
    afterAll(async () => {
      await stack?.stop();
    });
    beforeEach(() => stack.emulator.resetCalls());

    it('serves a request carrying the secret in router-authorization', async () => {
      const { status, body } = await stack.query(QUERY, undefined, { 'router-authorization': SECRET });
      expect(status).toBe(200);
      expect(body).toEqual({ data: { imageTask: { state: 'UNKNOWN' } } });
    });

    it.each([
      ['no header', {}, 'the router-authorization header is missing'],
      [
        'a wrong secret of the same length',
        { 'router-authorization': SECRET.replace(/.$/, 'X') },
        'the router-authorization header does not match',
      ],
      [
        'a prefix of the secret',
        { 'router-authorization': SECRET.slice(0, 10) },
        'the router-authorization header does not match',
      ],
      ['the secret in another header', { authorization: SECRET }, 'the router-authorization header is missing'],
    ])(
      'answers %s with 401 UNAUTHENTICATED in GraphQL shape, before any provider call',
      async (_case, headers, reason) => {
        const { status, headers: responseHeaders, body } = await stack.query(QUERY, undefined, headers);
        expect(status).toBe(401);
        expect(body).toEqual({
          errors: [
            {
              message: `This subgraph accepts requests from the router only: ${reason}`,
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        });
        expect(responseHeaders.get('x-request-id')).toEqual(expect.any(String));
        expect(stack.emulator.callCount()).toBe(0);
      },
    );

    it('protects /graphql and the landing page too', async () => {
      const graphql = await stack.request('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY }),
      });
      expect(graphql.status).toBe(401);
      const landing = await stack.request('/', { headers: { accept: 'text/html' } });
      expect(landing.status).toBe(401);
      expect(JSON.parse(landing.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('leaves /health, /ready and /metrics open to probes and Prometheus', async () => {
      expect((await stack.request('/health')).status).toBe(200);
      expect((await stack.request('/ready')).status).toBe(200);
      const metrics = await stack.request('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^http_requests_refused_total\{reason="unauthenticated"\} [1-9]/m);
    });

    it('logs each refusal without the presented value', async () => {
      const wrong = 'presented-but-wrong-value-123456';
      const before = stack.logLines.length;
      await stack.query(QUERY, undefined, { 'router-authorization': wrong });
      const lines = stack.logLines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: 'request refused', reason: 'unauthenticated', status: 401 }),
      );
      expect(stack.logLines.join('\n')).not.toContain(wrong);
    });
  });

  describe('with SUBGRAPH_SHARED_SECRET_HEADER', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({
        SUBGRAPH_SHARED_SECRET: SECRET,
        SUBGRAPH_SHARED_SECRET_HEADER: 'x-subgraph-secret',
      });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('reads the secret from the configured header only', async () => {
      expect((await stack.query(QUERY, undefined, { 'X-Subgraph-Secret': SECRET })).status).toBe(200);
      const refused = await stack.query(QUERY, undefined, { 'router-authorization': SECRET });
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.message).toContain('the x-subgraph-secret header is missing');
    });
  });

  describe('without SUBGRAPH_SHARED_SECRET', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('serves every caller', async () => {
      expect((await stack.query(QUERY)).status).toBe(200);
    });
  });
});
