/**
 * What `npm start` does as a real process: build, then serve; outside production with no
 * credentials it answers from the built-in emulator; SIGTERM ends the process cleanly; a
 * bad configuration stops it before it listens.
 */
import fetch from 'node-fetch';
import { buildDist, readyUrl, spawnSubgraph } from '../support/process.js';

const BASE = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
const IMAGE_QUERY = '{ imageTask(taskId: "24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4") { state } }';

async function postQuery(url: string, query: string): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return response.json();
}

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
  it.each([[''], ['   ']])('refuses SUBGRAPH_SHARED_SECRET=%j instead of turning authentication off', async (value) => {
    const subgraph = spawnSubgraph({ ...BASE, SUBGRAPH_SHARED_SECRET: value });
    try {
      expect(await subgraph.exited).toBe(1);
      expect(subgraph.stderr()).toContain('SUBGRAPH_SHARED_SECRET is set but empty');
      expect(subgraph.stdout()).not.toContain('ready at');
    } finally {
      subgraph.kill();
    }
  }, 60_000);
});
