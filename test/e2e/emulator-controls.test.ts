/**
 * The built-in emulator as `npm start` runs it (no credentials): start-up says where its controls
 * are, and a task scripted or advanced through them shows at the next look, although the finished
 * task it was before sits in every cache (task cache, Apollo's response cache, the edge cache).
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import fetch from 'node-fetch';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { SEED } from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';

const TASK = SEED.image.finishedSuccess;
const BODY = JSON.stringify({ query: `{ imageTask(taskId: "${TASK}") { state status } }` });

describe('the built-in emulator, driven through its HTTP controls', () => {
  let app: RunningApp;
  beforeAll(async () => {
    // Default cache lifetimes: a finished task would be kept for CACHE_TERMINAL_TTL_MS (ten minutes).
    const config = loadConfig({ LOG_LEVEL: 'warn' });
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    app = await startApp(
      config,
      {
        fetch,
        now: Date.now,
        randomNonce: () => randomBytes(16).toString('hex'),
        logger: createLogger(config.logLevel, sink),
      },
      { port: 0, host: '127.0.0.1' },
    );
  });
  afterAll(async () => {
    await app?.stop();
  });

  const look = async (): Promise<unknown> => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BODY,
    });
    return ((await response.json()) as { data: unknown }).data;
  };
  const control = (path: string) =>
    fetch(`${app.emulator!.controlsUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'tencent-mps' }),
    });

  it('shows a scripted and then advanced task at the next look, past every cache', async () => {
    expect(app.emulator).not.toBeNull();
    expect(await look()).toEqual({ imageTask: { state: 'SUCCEEDED', status: 'FINISH' } });
    expect(await look()).toEqual({ imageTask: { state: 'SUCCEEDED', status: 'FINISH' } });
    // The second look was a cache hit: one provider call so far.
    expect(app.emulator!.callCount({ taskId: TASK })).toBe(1);

    expect((await control(`tasks/${TASK}/script`)).status).toBe(200);
    expect(await look()).toEqual({ imageTask: { state: 'PENDING', status: 'WAITING' } });
    expect((await control(`tasks/${TASK}/advance`)).status).toBe(200);
    expect(await look()).toEqual({ imageTask: { state: 'RUNNING', status: 'PROCESSING' } });
    expect(app.emulator!.callCount({ taskId: TASK })).toBe(3);
  });
});
