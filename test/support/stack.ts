/**
 * The whole subgraph over real HTTP: the provider emulator on loopback, the app
 * configured against it through the same environment variables production uses.
 *
 * Every stack also guards against leaks: stop() fails the suite when a configured
 * secret (provider keys and tokens, the router secret, the seed tasks' storage keys)
 * appears in any log line the app wrote or any response read through `query`/`request`.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import fetch from 'node-fetch';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import {
  EMULATOR_CREDENTIALS,
  SEED_S3_SECRETS,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';
import type { Tracing } from '../../src/observability/tracing.js';

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Headers | import('node-fetch').Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
  };
}

/** One HTTP exchange with the app as the client saw it. */
export interface RecordedResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Record<string, string>;
  readonly text: string;
}

export interface TestStack {
  readonly url: string;
  readonly emulator: RunningEmulator;
  readonly app: RunningApp;
  /** Every log line the app wrote, for assertions (e.g. that no secret was logged). */
  readonly logLines: string[];
  /** Every response read through `query` and `request`. */
  readonly responses: RecordedResponse[];
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse>;
  /** Any HTTP request to the app, e.g. `request('/metrics')`; recorded like `query`. */
  request(
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<RecordedResponse>;
  /** Names of the configured secrets found in `logLines` or `responses` (never the values). */
  leakedSecrets(): string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /**
   * The keys the emulator accepts (default: EMULATOR_CREDENTIALS). The app is configured
   * with the first of each unless `env` names others (e.g. a wrong key, to provoke a refusal).
   */
  readonly tencentCredentials?: EmulatorOptions['tencentCredentials'];
  readonly alibabaCredentials?: EmulatorOptions['alibabaCredentials'];
  /** Spans go here (e.g. an in-memory exporter) instead of nowhere. */
  readonly tracing?: Tracing;
  /** How long the emulator signs output URLs for (default an hour). */
  readonly signedUrlLifetimeSeconds?: number;
}

export async function startTestStack(env: Record<string, string> = {}, options: StackOptions = {}): Promise<TestStack> {
  const emulator = await startEmulator({
    ...(options.tencentCredentials && { tencentCredentials: options.tencentCredentials }),
    ...(options.alibabaCredentials && { alibabaCredentials: options.alibabaCredentials }),
    ...(options.signedUrlLifetimeSeconds !== undefined && {
      signedUrlLifetimeSeconds: options.signedUrlLifetimeSeconds,
    }),
  });
  const tencent = options.tencentCredentials?.[0] ?? EMULATOR_CREDENTIALS.tencent;
  const alibaba = options.alibabaCredentials?.[0] ?? EMULATOR_CREDENTIALS.alibaba;
  const config = loadConfig({
    TENCENTCLOUD_SECRET_ID: tencent.secretId,
    TENCENTCLOUD_SECRET_KEY: tencent.secretKey,
    ...('token' in tencent && tencent.token !== undefined && { TENCENTCLOUD_SESSION_TOKEN: tencent.token }),
    MPS_ENDPOINT: emulator.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: alibaba.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: alibaba.accessKeySecret,
    ...('securityToken' in alibaba &&
      alibaba.securityToken !== undefined && { ALIBABA_CLOUD_SECURITY_TOKEN: alibaba.securityToken }),
    ICE_ENDPOINT: emulator.url,
    UPSTREAM_TIMEOUT_MS: '2000',
    // Tests count provider calls per test against one shared stack, so the process-wide
    // cache is off unless a test turns it on (test/e2e/upstream-economy.test.ts does).
    CACHE_MAX_ENTRIES: '0',
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
  const logger = createLogger(config.logLevel, sink, { redactHeaders: [config.security.sharedSecretHeader] });
  const app = await startApp(
    config,
    {
      fetch,
      now: Date.now,
      randomNonce: () => randomBytes(16).toString('hex'),
      logger,
      ...(options.tracing && { tracing: options.tracing }),
    },
    { port: 0, host: '127.0.0.1' },
  );
  const url = app.url;
  const responses: RecordedResponse[] = [];
  const secrets = configuredSecrets(config);

  const record = async (response: import('node-fetch').Response): Promise<RecordedResponse> => {
    const recorded = {
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      text: await response.text(),
    };
    responses.push(recorded);
    return recorded;
  };
  const leakedSecrets = (): string[] => {
    const haystacks = [
      ...logLines,
      ...responses.map((response) => `${JSON.stringify(response.headers)}\n${response.text}`),
    ];
    return secrets.filter(({ value }) => haystacks.some((text) => text.includes(value))).map(({ name }) => name);
  };

  return {
    url,
    emulator,
    app,
    logLines,
    responses,
    async query(query, variables, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const recorded = await record(response);
      return {
        status: response.status,
        headers: response.headers,
        body: JSON.parse(recorded.text) as GraphQLResponse['body'],
      };
    },
    async request(path, init = {}) {
      return record(await fetch(new URL(path, url), init));
    },
    leakedSecrets,
    async stop() {
      await app.stop();
      await emulator.close();
      const leaked = leakedSecrets();
      if (leaked.length > 0) throw new Error(`secrets leaked into logs or responses: ${leaked.join(', ')}`);
    },
  };
}

/** Every value that must never leave the process, by the name an operator knows it by. */
function configuredSecrets(config: ReturnType<typeof loadConfig>): { name: string; value: string }[] {
  const candidates: [string, string | null | undefined][] = [
    ['TENCENTCLOUD_SECRET_KEY', config.tencent.credentials?.secretKey],
    ['TENCENTCLOUD_SESSION_TOKEN', config.tencent.credentials?.sessionToken],
    ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', config.alibaba.credentials?.accessKeySecret],
    ['ALIBABA_CLOUD_SECURITY_TOKEN', config.alibaba.credentials?.securityToken],
    ['SUBGRAPH_SHARED_SECRET', config.security.sharedSecret],
    ['seed S3 secret id', SEED_S3_SECRETS.secretId],
    ['seed S3 secret key', SEED_S3_SECRETS.secretKey],
  ];
  return candidates.flatMap(([name, value]) => (value ? [{ name, value }] : []));
}
