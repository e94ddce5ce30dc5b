/**
 * One replica of the whole app in this process, configured from `env` alone (no emulator of its
 * own unless EMULATOR=on asks for one), with its log lines kept: several of them over one Redis
 * and one provider emulator stand for a deployment.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import fetch from 'node-fetch';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';

export interface AppReplica {
  readonly app: RunningApp;
  readonly url: string;
  /** Every log line, as written. */
  readonly logs: string[];
  /** The messages of the log lines at warn. */
  warnings(): string[];
  post(
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, string>; text: string }>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export async function startAppReplica(env: Record<string, string>): Promise<AppReplica> {
  const config = loadConfig({ LOG_LEVEL: 'info', UPSTREAM_TIMEOUT_MS: '2000', RESPONSE_CACHE_MAX_BYTES: '0', ...env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink, { redactHeaders: [config.security.sharedSecretHeader] });
  const app = await startApp(
    config,
    { fetch, now: Date.now, randomNonce: () => randomBytes(16).toString('hex'), logger },
    { port: 0, host: '127.0.0.1' },
  );
  // Start-up does not wait for Redis: let the connections come up before the first lookup.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    app,
    url: app.url,
    logs,
    warnings: () =>
      logs.flatMap((line) => {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        return entry.level === 40 && typeof entry.msg === 'string' ? [entry.msg] : [];
      }),
    async post(body, headers = {}) {
      const response = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers.entries()),
        text: await response.text(),
      };
    },
    metrics: async () => (await fetch(new URL('/metrics', app.url))).text(),
    stop: () => app.stop(),
  };
}

/** A gauge or counter's value in a /metrics text (the first sample whose name and labels match). */
export function sampleOf(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((each) => each.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
