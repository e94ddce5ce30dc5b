/**
 * Graceful shutdown, as SIGTERM runs it (index.ts calls app.stop()): /ready turns 503
 * at once while the listener stays open for SHUTDOWN_DELAY_MS, then the listener
 * closes and requests already in flight finish before stop() resolves. Ordered by
 * events and counts (a call seen by the emulator, a promise settled), never by clocks.
 */
import http from 'node:http';
import fetch from 'node-fetch';
import { SEED } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const SLOW_ID = SEED.image.docExampleFinished;
const FAST_ID = SEED.image.waiting;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('graceful shutdown', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The delay only has to outlast two loopback requests; the slow call outlasts the delay.
    stack = await startTestStack({ SHUTDOWN_DELAY_MS: '500' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('reports 503 on /ready, finishes the in-flight request, then refuses new connections', async () => {
    expect((await stack.request('/ready')).status).toBe(200);
    stack.emulator.injectFault({ taskId: SLOW_ID }, { kind: 'latency', latencyMs: 1500 });

    const slow = stack.query(`{ imageTask(taskId: "${SLOW_ID}") { taskId state } }`);
    await until(() => stack.emulator.callCount({ taskId: SLOW_ID }) === 1);

    let stopped = false;
    const stopping = stack.app.stop().then(() => {
      stopped = true;
    });

    // Draining: not ready, still alive, still serving what arrives.
    expect((await stack.request('/ready')).status).toBe(503);
    expect(JSON.parse((await stack.request('/health')).text)).toEqual({ status: 'ok' });
    const arriving = await stack.query(`{ imageTask(taskId: "${FAST_ID}") { state } }`);
    expect(arriving.body).toEqual({ data: { imageTask: { state: 'PENDING' } } });
    expect(stopped).toBe(false);

    await stopping;
    const finished = await slow;
    expect(finished.status).toBe(200);
    expect(finished.body).toEqual({ data: { imageTask: { taskId: SLOW_ID, state: 'UNKNOWN' } } });
    expect(stack.emulator.callCount({ taskId: SLOW_ID })).toBe(1);

    await expect(
      fetch(new URL('/health', stack.url), { agent: new http.Agent({ keepAlive: false }) }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
