/**
 * What `npm start` does as a real process: build, then serve; outside production with no
 * credentials it answers from the built-in emulator; SIGTERM ends the process cleanly; a
 * bad configuration stops it before it listens.
 */
import fetch from 'node-fetch';
import { EMULATOR_CREDENTIALS, SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { buildDist, readyUrl, spawnSubgraph, type SubgraphProcess } from '../support/process.js';

const BASE = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
const IMAGE_QUERY = `{ imageTask(taskId: "${SEED.image.finishedSuccess}") { state } }`;

async function postQuery(url: string, query: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

const BOTH_QUERY = `{
  imageTask(taskId: "${SEED.image.finishedSuccess}") { state }
  workflowTask(taskId: "${SEED.workflow.succeeded}") { state }
}`;

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

function codesByField(answer: Answer): Record<string, unknown> {
  return Object.fromEntries(
    (answer.errors ?? []).map((error) => [String(error.path?.[0]), error.extensions?.['code']]),
  );
}

/** Starts a process, runs `check` against its URL, then SIGTERMs it and expects a clean exit. */
async function withSubgraph(
  env: Record<string, string>,
  check: (url: string, subgraph: SubgraphProcess) => Promise<void>,
): Promise<void> {
  const subgraph = spawnSubgraph({ ...BASE, ...env });
  try {
    const url = await readyUrl(subgraph);
    await check(url, subgraph);
    subgraph.child.kill('SIGTERM');
    expect(await subgraph.exited).toBe(0);
  } finally {
    subgraph.kill();
  }
}

const listening = (subgraph: SubgraphProcess): Record<string, unknown> | undefined =>
  subgraph.logLines().find((line) => line['msg'] === 'subgraph listening');
const warnings = (subgraph: SubgraphProcess): string[] =>
  subgraph
    .logLines()
    .filter((line) => line['level'] === 40)
    .map((line) => String(line['msg']));

beforeAll(() => buildDist());

describe('npm start without credentials', () => {
  it('serves the subgraph from the built-in emulator and stops on SIGTERM', async () => {
    const subgraph = spawnSubgraph(BASE);
    try {
      const url = await readyUrl(subgraph);
      expect(subgraph.stdout()).toContain('built-in provider emulator');
      expect(await postQuery(url, IMAGE_QUERY)).toEqual({ data: { imageTask: { state: 'SUCCEEDED' } } });
      subgraph.child.kill('SIGTERM');
      expect(await subgraph.exited).toBe(0);
    } finally {
      subgraph.kill();
    }
  }, 60_000);
});

describe('npm start with a bad configuration', () => {
  it.each([[''], ['   ']])(
    'refuses SUBGRAPH_SHARED_SECRET=%j instead of turning authentication off',
    async (value) => {
      const subgraph = spawnSubgraph({ ...BASE, SUBGRAPH_SHARED_SECRET: value });
      try {
        expect(await subgraph.exited).toBe(1);
        expect(subgraph.stderr()).toContain('SUBGRAPH_SHARED_SECRET is set but empty');
        expect(subgraph.stdout()).not.toContain('ready at');
      } finally {
        subgraph.kill();
      }
    },
    60_000,
  );
});

describe('production rule: the emulator never stands in for a provider unless EMULATOR=on', () => {
  let standalone: RunningEmulator;
  beforeAll(async () => {
    standalone = await startEmulator();
  });
  afterAll(async () => {
    await standalone?.close();
  });
  beforeEach(() => standalone.resetCalls());

  it('without credentials answers PROVIDER_NOT_CONFIGURED for both entities, starts no emulator, and warns', async () => {
    await withSubgraph({ NODE_ENV: 'production', LOG_LEVEL: 'info' }, async (url, subgraph) => {
      const answer = (await postQuery(url, BOTH_QUERY)) as Answer;
      expect(answer.data).toEqual({ imageTask: null, workflowTask: null });
      expect(codesByField(answer)).toEqual({
        imageTask: 'PROVIDER_NOT_CONFIGURED',
        workflowTask: 'PROVIDER_NOT_CONFIGURED',
      });
      expect(answer.errors?.map((error) => error.extensions?.['retryable'])).toEqual([false, false]);
      // Asked twice: the error is not cached as the task's answer, it is the same error again.
      expect(codesByField((await postQuery(url, BOTH_QUERY)) as Answer)).toEqual({
        imageTask: 'PROVIDER_NOT_CONFIGURED',
        workflowTask: 'PROVIDER_NOT_CONFIGURED',
      });

      expect(listening(subgraph)).toMatchObject({ mps: 'not-configured', ice: 'not-configured', emulator: null });
      const warned = warnings(subgraph);
      expect(warned).toHaveLength(3);
      expect(warned.join('\n')).toContain('TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY');
      expect(warned.join('\n')).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET');
      expect(warned.join('\n')).toContain('no provider is configured');
      // Still a healthy process: the probes answer.
      expect((await fetch(new URL('/health', url))).status).toBe(200);
      expect((await fetch(new URL('/ready', url))).status).toBe(200);

      // The banner offers neither Sandbox (off in production) nor sample ids (nothing serves them).
      expect(subgraph.stdout()).toContain('ready at');
      expect(subgraph.stdout()).not.toContain('Sandbox');
      expect(subgraph.stdout()).not.toContain('built-in provider emulator');
      expect(subgraph.stdout()).not.toContain(SEED.image.finishedSuccess);
    });
  }, 60_000);

  it('with EMULATOR=on serves the emulator in production too', async () => {
    await withSubgraph({ NODE_ENV: 'production', EMULATOR: 'on', LOG_LEVEL: 'info' }, async (url, subgraph) => {
      expect(await postQuery(url, BOTH_QUERY)).toEqual({
        data: { imageTask: { state: 'SUCCEEDED' }, workflowTask: { state: 'SUCCEEDED' } },
      });
      expect(listening(subgraph)).toMatchObject({
        mps: 'emulator',
        ice: 'emulator',
        emulator: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      });
      expect(warnings(subgraph)).toEqual([]);
      expect(subgraph.stdout()).toContain('answering from the built-in provider emulator');
      expect(subgraph.stdout()).toContain(SEED.image.finishedSuccess);
      expect(subgraph.stdout()).not.toContain('Sandbox');
    });
  }, 60_000);

  it('with one provider configured answers it for real and the other PROVIDER_NOT_CONFIGURED, never invented', async () => {
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      TENCENTCLOUD_SECRET_ID: EMULATOR_CREDENTIALS.tencent.secretId,
      TENCENTCLOUD_SECRET_KEY: EMULATOR_CREDENTIALS.tencent.secretKey,
      MPS_ENDPOINT: standalone.url,
    };
    await withSubgraph(env, async (url, subgraph) => {
      const answer = (await postQuery(url, BOTH_QUERY)) as Answer;
      expect(answer.data).toEqual({ imageTask: { state: 'SUCCEEDED' }, workflowTask: null });
      expect(codesByField(answer)).toEqual({ workflowTask: 'PROVIDER_NOT_CONFIGURED' });
      // The real answer came from the configured endpoint; nothing asked for the unconfigured one.
      expect(standalone.callCount({ provider: 'tencent-mps' })).toBe(1);
      expect(standalone.callCount({ provider: 'alibaba-ice' })).toBe(0);
      expect(listening(subgraph)).toMatchObject({ mps: standalone.url, ice: 'not-configured', emulator: null });
      expect(warnings(subgraph)).toEqual([
        expect.stringContaining('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
      ]);
    });
  }, 60_000);

  it('outside production offers Sandbox, the dashboard and sample ids, each saying what it shows', async () => {
    await withSubgraph({}, async (url, subgraph) => {
      const out = subgraph.stdout();
      expect(out).toContain('(open it in a browser for Apollo Sandbox)');
      expect(out).toContain(`GraphQL    POST ${url}graphql`);
      expect(out).toContain(`Dashboard  ${url}dashboard`);
      expect(out).toMatch(new RegExp(`${SEED.image.finishedSuccess}\\s+finished, 3 results succeeded`));
      expect(out).toMatch(new RegExp(`${SEED.image.processing}\\s+running`));
      expect(out).toMatch(new RegExp(`${SEED.workflow.failed}\\s+failed`));
      expect((await fetch(new URL('/dashboard/', url))).status).toBe(200);
    });
  }, 60_000);

  it('in production names neither the dashboard nor Sandbox unless they are served', async () => {
    await withSubgraph({ NODE_ENV: 'production', EMULATOR: 'on' }, async (url, subgraph) => {
      expect(subgraph.stdout()).toContain(`GraphQL    POST ${url}graphql`);
      expect(subgraph.stdout()).not.toContain('Dashboard');
      expect((await fetch(new URL('/dashboard/', url))).status).toBe(404);
    });
    await withSubgraph({ NODE_ENV: 'production', EMULATOR: 'on', DASHBOARD: 'on' }, async (url, subgraph) => {
      expect(subgraph.stdout()).toContain(`Dashboard  ${url}dashboard`);
      expect(subgraph.stdout()).toContain('Sample ids to paste into the dashboard:');
    });
  }, 60_000);
});
