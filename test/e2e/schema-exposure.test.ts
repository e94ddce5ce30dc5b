/**
 * Sandbox and introspection follow NODE_ENV and EXPOSE_SCHEMA: off in production
 * unless EXPOSE_SCHEMA=true. Federation's `_service { sdl }` stays available either
 * way, because the router and `rover` compose from it.
 */
import { startTestStack, type TestStack } from '../support/stack.js';

const INTROSPECTION = '{ __schema { queryType { name } } }';

async function landingPage(stack: TestStack): Promise<{ status: number; html: boolean }> {
  const response = await stack.request('/', { headers: { accept: 'text/html' } });
  return { status: response.status, html: (response.headers['content-type'] ?? '').startsWith('text/html') };
}

describe('schema exposure', () => {
  describe('NODE_ENV=production', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ NODE_ENV: 'production' });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('refuses introspection', async () => {
      const { status, body } = await stack.query(INTROSPECTION);
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
      // The operator's switch is EXPOSE_SCHEMA, not an ApolloServer option they cannot reach.
      expect(body.errors?.[0]?.message).toMatch(/EXPOSE_SCHEMA=true/);
      expect(body.errors?.[0]?.message).not.toMatch(/ApolloServer|introspection: true/);
      expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('serves no Sandbox landing page', async () => {
      expect(await landingPage(stack)).toEqual({ status: 400, html: false });
    });

    it('still publishes the federation SDL to the router', async () => {
      const { body } = await stack.query('{ _service { sdl } }');
      expect(body.errors).toBeUndefined();
      expect(body.data?._service).toEqual({ sdl: expect.stringContaining('type ImageTask') });
    });
  });

  describe('NODE_ENV=production with EXPOSE_SCHEMA=true', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ NODE_ENV: 'production', EXPOSE_SCHEMA: 'true' });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('answers introspection', async () => {
      const { status, body } = await stack.query(INTROSPECTION);
      expect(status).toBe(200);
      expect(body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });

    it('serves the Sandbox landing page', async () => {
      expect(await landingPage(stack)).toEqual({ status: 200, html: true });
    });
  });
});
