/**
 * A stdout whose reader goes away (`npm start | head -3`, a log shipper that died) must not
 * stop the service: log lines are dropped, requests and probes are still answered, SIGTERM
 * still ends the process with 0. Before, the banner's EPIPE crashed into pino's exit hook,
 * which retried the failed write forever: /ready hung and SIGTERM was ignored.
 */
import fetch from 'node-fetch';
import { SEED } from '../../src/emulator/index.js';
import { buildDist, spawnSubgraph } from '../support/process.js';
import { freePort } from '../../support/free-port.js';

const REQUESTS = 20;
/** A hang fails the test instead of stalling it; nothing here asserts how long anything took. */
const HANG = 15_000;

async function untilListening(url: string): Promise<number> {
  for (;;) {
    try {
      return (await fetch(new URL('/health', url), { signal: AbortSignal.timeout(HANG) })).status;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ECONNREFUSED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('a closed stdout (real process)', () => {
  beforeAll(() => buildDist());

  it('keeps serving with its log pipe closed from the start, and exits 0 on SIGTERM', async () => {
    // Chosen up front: the test cannot read the URL from the stdout it closes.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const subgraph = spawnSubgraph({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    // Closed before the process writes anything: its banner and every log line hit EPIPE.
    subgraph.child.stdout.destroy();
    try {
      expect(await untilListening(url)).toBe(200);
      const answers: unknown[] = [];
      for (let i = 0; i < REQUESTS; i += 1) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `{ imageTask(taskId: "${SEED.image.finishedSuccess}") { state } }` }),
          signal: AbortSignal.timeout(HANG),
        });
        answers.push(await response.json());
      }
      expect(answers).toEqual(
        Array.from({ length: REQUESTS }, () => ({ data: { imageTask: { state: 'SUCCEEDED' } } })),
      );
      expect((await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(HANG) })).status).toBe(200);

      subgraph.child.kill('SIGTERM');
      const exit = await Promise.race([
        subgraph.exited,
        new Promise((resolve) => setTimeout(() => resolve('still running'), HANG).unref()),
      ]);
      expect(exit).toBe(0);
      // Said once, where it can still be read.
      expect(subgraph.stderr().match(/stdout failed \(EPIPE\)/g)).toHaveLength(1);
    } finally {
      subgraph.kill();
    }
  }, 60_000);
});
