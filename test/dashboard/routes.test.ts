/**
 * /dashboard over real HTTP: served where config allows it, with a self-only CSP; the
 * graphql-ws browser client from the installed package (client.js and the chunk it
 * imports, nothing else); sample ids only where the built-in emulator answers for them.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import fetch from 'node-fetch';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { graphqlWsClientFiles } from '../../src/dashboard/routes.js';
import { sampleTaskIds, sampleTasks } from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const SECRET = 'router-secret-of-at-least-16-characters';

async function get(
  base: string,
  path: string,
): Promise<{ status: number; type: string; csp: string; location: string; text: string }> {
  const response = await fetch(new URL(path, base), { redirect: 'manual' });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    csp: response.headers.get('content-security-policy') ?? '',
    location: response.headers.get('location') ?? '',
    text: await response.text(),
  };
}

describe('the dashboard routes', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('serves the page, its modules and its stylesheet with a self-only Content-Security-Policy', async () => {
    const redirect = await get(stack.url, '/dashboard?poll=300');
    expect(redirect.status).toBe(301);
    expect(redirect.location).toBe('/dashboard/?poll=300');

    const page = await get(stack.url, '/dashboard/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('<table id="tasks">');
    expect(page.csp).toContain("default-src 'self'");
    expect(page.csp).toContain("script-src 'self'");
    expect(page.csp).not.toMatch(/https?:|unsafe-inline|unsafe-eval/);
    // Nothing from elsewhere: every script and stylesheet the page names is relative.
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);

    for (const file of ['dashboard.js', 'live.js', 'graphql.js', 'graph.js', 'rows.js']) {
      const module = await get(stack.url, `/dashboard/${file}`);
      expect({ file, status: module.status, type: module.type }).toEqual({
        file,
        status: 200,
        type: expect.stringContaining('javascript'),
      });
    }
    expect((await get(stack.url, '/dashboard/dashboard.css')).type).toContain('text/css');
  });

  it('serves the graphql-ws browser client and every module it imports, from node_modules', async () => {
    const client = await get(stack.url, '/dashboard/vendor/graphql-ws/client.js');
    expect(client.status).toBe(200);
    expect(client.type).toContain('javascript');
    expect(client.text).toContain('function createClient');
    const imports = [...client.text.matchAll(/from '\.\/([^']+)'/g)].map((match) => match[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const name of imports) {
      const chunk = await get(stack.url, `/dashboard/vendor/graphql-ws/${name}`);
      expect({ name, status: chunk.status }).toEqual({ name, status: 200 });
      // The chunk imports nothing further, so these files are the whole client.
      expect(chunk.text).not.toMatch(/^import /m);
    }
    // The server side of the library is not the page's business.
    const server = graphqlWsClientFiles();
    expect(server.files).toEqual(expect.arrayContaining(['client.js']));
    expect((await get(stack.url, '/dashboard/vendor/graphql-ws/index.js')).status).toBe(404);
  });

  it('serves nothing outside public/dashboard', async () => {
    for (const path of [
      '/dashboard/%2e%2e/package.json',
      '/dashboard/..%2fpackage.json',
      '/dashboard/.hidden',
      '/dashboard/nope.js',
    ]) {
      expect({ path, status: (await get(stack.url, path)).status }).toEqual({ path, status: 404 });
    }
  });

  it('offers no sample ids when no built-in emulator answers (real providers, or an outside emulator)', async () => {
    const samples = await get(stack.url, '/dashboard/samples.json');
    expect(samples.status).toBe(404);
    expect(samples.text).not.toContain('24000089');
  });
});

describe('where the dashboard is served', () => {
  it.each([
    [{}, 200],
    [{ EXPOSE_SCHEMA: 'false' }, 404],
    [{ NODE_ENV: 'production' }, 404],
    [{ NODE_ENV: 'production', DASHBOARD: 'on' }, 200],
    [{ DASHBOARD: 'off' }, 404],
  ])('with %j answers %i', async (env, status) => {
    const stack = await startTestStack(env);
    try {
      expect((await get(stack.url, '/dashboard/')).status).toBe(status);
    } finally {
      await stack.stop();
    }
  });

  it('serves the page without the router secret, while /graphql still requires it', async () => {
    const stack = await startTestStack({ SUBGRAPH_SHARED_SECRET: SECRET });
    try {
      expect((await get(stack.url, '/dashboard/')).status).toBe(200);
      const answer = await stack.query('{ __typename }');
      expect(answer.status).toBe(401);
      expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    } finally {
      await stack.stop();
    }
  });
});

describe('sample tasks', () => {
  it('describes the same tasks as sampleTaskIds, in the same order', () => {
    const ids = sampleTaskIds();
    expect(sampleTasks().map((sample) => sample.taskId)).toEqual([...ids.image, ...ids.workflow]);
    expect(sampleTasks(['workflow']).every((sample) => sample.kind === 'workflow')).toBe(true);
  });

  it('are offered at /dashboard/samples.json when the built-in emulator serves them', async () => {
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    let app: RunningApp | undefined;
    try {
      app = await startApp(
        config,
        {
          fetch,
          now: Date.now,
          randomNonce: () => randomBytes(16).toString('hex'),
          logger: createLogger('silent', silent),
        },
        { port: 0, host: '127.0.0.1' },
      );
      const samples = await get(app.url, '/dashboard/samples.json');
      expect(samples.status).toBe(200);
      expect(JSON.parse(samples.text)).toEqual({ samples: sampleTasks() });
    } finally {
      await app?.stop();
    }
  });
});
