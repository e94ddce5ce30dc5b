/**
 * The whole subgraph over real HTTP: the provider emulator on loopback, the app
 * configured against it through the same environment variables production uses.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import fetch from 'node-fetch';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { EMULATOR_CREDENTIALS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Headers | import('node-fetch').Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
  };
}

export interface TestStack {
  readonly url: string;
  readonly emulator: RunningEmulator;
  readonly app: RunningApp;
  /** Every log line the app wrote, for assertions (e.g. that no secret was logged). */
  readonly logLines: string[];
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse>;
  stop(): Promise<void>;
}

export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const emulator = await startEmulator();
  const config = loadConfig({
    TENCENTCLOUD_SECRET_ID: EMULATOR_CREDENTIALS.tencent.secretId,
    TENCENTCLOUD_SECRET_KEY: EMULATOR_CREDENTIALS.tencent.secretKey,
    MPS_ENDPOINT: emulator.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.alibaba.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.alibaba.accessKeySecret,
    ICE_ENDPOINT: emulator.url,
    UPSTREAM_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'info',
    ...env,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const app = await startApp(
    config,
    { fetch, now: Date.now, randomNonce: () => randomBytes(16).toString('hex'), logger: createLogger(config.logLevel, sink) },
    { port: 0, host: '127.0.0.1' },
  );
  const url = app.url;
  return {
    url,
    emulator,
    app,
    logLines,
    async query(query, variables, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
    },
    async stop() {
      await app.stop();
      await emulator.close();
    },
  };
}
