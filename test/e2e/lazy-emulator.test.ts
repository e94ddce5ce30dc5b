/**
 * A production process with credentials never loads the emulator: every ES module `node
 * dist/index.js` loads is recorded by a module hook, and none may come from dist/emulator/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fetch from 'node-fetch';
import { SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { buildDist, emulatorEnv, readyUrl, spawnSubgraph } from '../support/process.js';

const RECORDER = pathToFileURL(resolve('test/support/record-loaded-modules.mjs')).href;
const DIST = pathToFileURL(resolve('dist')).href;
const BOTH_QUERY = `{
  imageTask(taskId: "${SEED.image.finishedSuccess}") { state }
  workflowTask(taskId: "${SEED.workflow.succeeded}") { state }
}`;

let scratch: string;
let standalone: RunningEmulator;

beforeAll(async () => {
  buildDist();
  scratch = mkdtempSync(join(tmpdir(), 'loaded-modules-'));
  standalone = await startEmulator();
});
afterAll(async () => {
  await standalone?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs `node dist/index.js` with `env`, answers BOTH_QUERY, stops it; the answer and the dist/ modules it loaded, relative. */
async function loadedModules(
  name: string,
  env: Record<string, string>,
): Promise<{ answer: unknown; modules: string[] }> {
  const file = join(scratch, `${name}.txt`);
  const subgraph = spawnSubgraph({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: `--import=${RECORDER}`,
    LOADED_MODULES_FILE: file,
    ...env,
  });
  try {
    const url = await readyUrl(subgraph);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: BOTH_QUERY }),
    });
    const answer = await response.json();
    subgraph.child.kill('SIGTERM');
    expect(await subgraph.exited).toBe(0);
    const modules = readFileSync(file, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith(`${DIST}/`))
      .map((url) => url.slice(DIST.length + 1));
    return { answer, modules };
  } finally {
    subgraph.kill();
  }
}

const fromEmulator = (modules: readonly string[]): string[] =>
  modules.filter((module) => module.startsWith('emulator/'));

describe('the emulator is loaded only when it answers for a provider', () => {
  it('a production process with both providers configured loads no module of dist/emulator/', async () => {
    const { answer, modules } = await loadedModules('credentials', {
      NODE_ENV: 'production',
      ...emulatorEnv(standalone.url),
    });
    expect(answer).toEqual({ data: { imageTask: { state: 'SUCCEEDED' }, workflowTask: { state: 'SUCCEEDED' } } });
    expect(modules).toEqual(
      expect.arrayContaining([
        'index.js',
        'app.js',
        'providers/registry.js',
        'providers/tencent/client.js',
        'providers/alibaba/client.js',
      ]),
    );
    expect(fromEmulator(modules)).toEqual([]);
    expect(standalone.callCount()).toBe(2);
  }, 60_000);

  it('a process without credentials and EMULATOR=on loads it (so the recorder sees emulator modules)', async () => {
    const { answer, modules } = await loadedModules('emulated', { NODE_ENV: 'production', EMULATOR: 'on' });
    expect(answer).toEqual({ data: { imageTask: { state: 'SUCCEEDED' }, workflowTask: { state: 'SUCCEEDED' } } });
    expect(fromEmulator(modules)).toEqual(
      expect.arrayContaining(['emulator/index.js', 'emulator/server.js', 'emulator/seed-tasks.js']),
    );
  }, 60_000);
});
