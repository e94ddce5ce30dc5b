import { request } from 'node:http';
import { Agent } from 'node:http';
import { EMULATOR_CREDENTIALS, startEmulator } from '../../src/emulator/index.js';
import { alibabaRequest, fixedClock, send, tencentRequest, waitForCalls } from './helpers.js';

describe('emulator lifecycle', () => {
  it('listens on a free loopback port per instance', async () => {
    const [a, b] = await Promise.all([startEmulator(), startEmulator()]);
    try {
      expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(a.url).not.toBe(b.url);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('accepts EMULATOR_CREDENTIALS when no credential list is given', async () => {
    const emulator = await startEmulator({ now: fixedClock });
    try {
      expect(
        (await send(emulator.url, tencentRequest(emulator.url, { credentials: EMULATOR_CREDENTIALS.tencent }))).status,
      ).toBe(200);
      expect(
        (await send(emulator.url, alibabaRequest(emulator.url, { credentials: EMULATOR_CREDENTIALS.alibaba }))).status,
      ).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it('close() ends idle keep-alive sockets, and is idempotent', async () => {
    const emulator = await startEmulator({ now: fixedClock });
    const agent = new Agent({ keepAlive: true });
    const url = new URL(emulator.url);
    const signed = tencentRequest(emulator.url);
    const closed = new Promise<void>((resolve, reject) => {
      const req = request(
        { hostname: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            // The socket is now idle in the agent's pool; only the server can end it.
            req.socket?.once('close', () => resolve());
            void emulator.close();
          });
        },
      );
      req.on('error', reject);
      req.end(signed.body);
    });
    await closed;
    await expect(emulator.close()).resolves.toBeUndefined();
    agent.destroy();
  });

  it('close() ends a request waiting out injected latency, without answering it', async () => {
    const emulator = await startEmulator({ now: fixedClock });
    emulator.injectFault({}, { kind: 'latency', latencyMs: 60_000 });
    const settled = send(emulator.url, alibabaRequest(emulator.url)).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await waitForCalls(() => emulator.callCount(), 1);
    await emulator.close();
    expect(await settled).toMatch(/socket hang up|ECONNRESET/);
    expect(emulator.calls()[0]?.outcome).toBe('pending');
  });
});
