/**
 * SIGTERM to a real `node dist/index.js` while a request is still within its deadline:
 * /ready turns 503 during SHUTDOWN_DELAY_MS, the listener then closes, and the drain
 * waits (SHUTDOWN_GRACE_MS, at least REQUEST_DEADLINE_MS) until the request is answered
 * and its log line written, then the process exits 0. Apollo's default drain grace (10 s)
 * used to cut such a request with an empty reply and no log line.
 */
import http from 'node:http';
import fetch from 'node-fetch';
import { SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { buildDist, emulatorEnv, readyUrl, spawnSubgraph } from '../support/process.js';

const SLOW_ID = SEED.image.finishedSuccess;
/** Longer than Apollo's default drain grace (10 s) after the delay, shorter than the request deadline (15 s). */
const SLOW_LATENCY_MS = 12_000;
const freshConnection = (): http.Agent => new http.Agent({ keepAlive: false });

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('SIGTERM with a request in flight (real process)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    buildDist();
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('answers the request in full, logs it, reports 503 on /ready during the delay, and exits 0', async () => {
    const subgraph = spawnSubgraph({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...emulatorEnv(emulator.url),
      // One attempt may take the whole wait: the per-attempt timeout is not what this tests.
      UPSTREAM_TIMEOUT_MS: '14000',
      SHUTDOWN_DELAY_MS: '1000',
    });
    try {
      const url = await readyUrl(subgraph);
      emulator.injectFault({ taskId: SLOW_ID }, { kind: 'latency', latencyMs: SLOW_LATENCY_MS, times: 1 });

      const slow = fetch(url, {
        method: 'POST',
        agent: freshConnection(),
        headers: { 'content-type': 'application/json', 'x-request-id': 'slow-request-during-shutdown' },
        body: JSON.stringify({ query: `{ imageTask(taskId: "${SLOW_ID}") { taskId state } }` }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as unknown }));
      await until(() => emulator.callCount({ taskId: SLOW_ID }) === 1);

      subgraph.child.kill('SIGTERM');
      // The probe sees 503 while the listener is still open (a refused connection would throw here).
      const probes: number[] = [];
      while (probes[probes.length - 1] !== 503) {
        probes.push((await fetch(new URL('/ready', url), { agent: freshConnection() })).status);
      }
      expect(new Set(probes)).toEqual(new Set(probes.includes(200) ? [200, 503] : [503]));

      expect(await slow).toEqual({
        status: 200,
        body: { data: { imageTask: { taskId: SLOW_ID, state: 'SUCCEEDED' } } },
      });
      expect(await subgraph.exited).toBe(0);
      expect(emulator.callCount({ taskId: SLOW_ID })).toBe(1);

      const lines = subgraph.logLines();
      const requestLines = lines.filter(
        (line) => line['msg'] === 'graphql request' && line['requestId'] === 'slow-request-during-shutdown',
      );
      expect(requestLines).toHaveLength(1);
      expect(requestLines[0]).toMatchObject({ outcome: 'ok', httpStatus: 200 });
      expect(lines.filter((line) => line['msg'] === 'draining in-flight requests before exit')).toHaveLength(1);
    } finally {
      subgraph.kill();
    }
  }, 60_000);
});
