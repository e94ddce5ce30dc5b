/**
 * `npm start` reads `.env` from its working directory when there is one: the file's variables
 * apply, the environment wins over the file, a bad value stops start-up naming the variable,
 * and no value from the file reaches the logs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fetch from 'node-fetch';
import { buildDist, readyUrl, spawnSubgraph } from '../support/process.js';

const BASE = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
const SECRET = 'dot-env-router-secret-0123456789';

function dirWithEnvFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'subgraph-env-'));
  writeFileSync(join(dir, '.env'), text);
  return dir;
}

beforeAll(() => buildDist());

describe('.env in the working directory', () => {
  it('stops start-up on a bad value from the file, naming the variable', async () => {
    const subgraph = spawnSubgraph(BASE, { cwd: dirWithEnvFile('MAX_TASK_IDS=abc\n') });
    try {
      expect(await subgraph.exited).toBe(1);
      expect(subgraph.stderr()).toContain('MAX_TASK_IDS');
    } finally {
      subgraph.kill();
    }
  });

  it('is overridden by the environment', async () => {
    const subgraph = spawnSubgraph({ ...BASE, MAX_TASK_IDS: '5' }, { cwd: dirWithEnvFile('MAX_TASK_IDS=abc\n') });
    try {
      await readyUrl(subgraph);
      subgraph.child.kill('SIGTERM');
      expect(await subgraph.exited).toBe(0);
    } finally {
      subgraph.kill();
    }
  });

  it('applies the file and logs the names it set, never their values', async () => {
    const subgraph = spawnSubgraph(BASE, { cwd: dirWithEnvFile(`# a comment\nSUBGRAPH_SHARED_SECRET=${SECRET}\n`) });
    try {
      const url = await readyUrl(subgraph);
      const post = (headers: Record<string, string>) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query: '{ __typename }' }),
        });
      expect((await post({})).status).toBe(401);
      expect((await post({ 'router-authorization': SECRET })).status).toBe(200);
      const line = subgraph.logLines().find((entry) => entry['file'] === '.env');
      expect(line?.['variables']).toEqual(['SUBGRAPH_SHARED_SECRET']);
      subgraph.child.kill('SIGTERM');
      expect(await subgraph.exited).toBe(0);
      expect(subgraph.stdout() + subgraph.stderr()).not.toContain(SECRET);
    } finally {
      subgraph.kill();
    }
  });
});
