/**
 * Assembles the running subgraph from config: provider clients (against the real
 * endpoints, or the built-in emulator for a provider without credentials), the task
 * sources over them, and the HTTP server. Every outside effect comes in through `deps`.
 */
import type { Logger } from 'pino';
import type { AlibabaConfig, AppConfig, TencentConfig } from './config.js';
import { EMULATOR_CREDENTIALS, startEmulator, type RunningEmulator } from './emulator/index.js';
import { createIceClient } from './providers/alibaba/client.js';
import type { FetchLike } from './providers/http.js';
import { createMpsClient } from './providers/tencent/client.js';
import { createSubgraphServer, type SubgraphServer } from './server.js';
import { imageTaskSource, workflowTaskSource } from './sources/provider-sources.js';

export interface AppDeps {
  readonly fetch: FetchLike;
  readonly now: () => number;
  readonly randomNonce: () => string;
  readonly logger: Logger;
}

export interface RunningApp {
  readonly url: string;
  readonly server: SubgraphServer;
  /** The in-process emulator, when a provider had no credentials. */
  readonly emulator: RunningEmulator | null;
  stop(): Promise<void>;
}

type WithCredentials<T extends { credentials: unknown }> = T & { credentials: NonNullable<T['credentials']> };

function emulatedTencent(config: TencentConfig, emulator: RunningEmulator): WithCredentials<TencentConfig> {
  return { ...config, endpoint: emulator.url, credentials: { ...EMULATOR_CREDENTIALS.tencent } };
}

function emulatedAlibaba(config: AlibabaConfig, emulator: RunningEmulator): WithCredentials<AlibabaConfig> {
  return { ...config, endpoint: emulator.url, credentials: { ...EMULATOR_CREDENTIALS.alibaba } };
}

export async function startApp(config: AppConfig, deps: AppDeps, listen: { port: number; host?: string }): Promise<RunningApp> {
  const needsEmulator = !config.tencent.credentials || !config.alibaba.credentials;
  const emulator = needsEmulator ? await startEmulator({ now: deps.now }) : null;

  const tencent = config.tencent.credentials ? { ...config.tencent, credentials: config.tencent.credentials } : emulatedTencent(config.tencent, emulator!);
  const alibaba = config.alibaba.credentials ? { ...config.alibaba, credentials: config.alibaba.credentials } : emulatedAlibaba(config.alibaba, emulator!);

  const mps = createMpsClient({ fetch: deps.fetch, now: deps.now, config: tencent, timeoutMs: config.upstream.timeoutMs });
  const ice = createIceClient({
    fetch: deps.fetch,
    now: deps.now,
    randomNonce: deps.randomNonce,
    config: alibaba,
    timeoutMs: config.upstream.timeoutMs,
  });

  const server = await createSubgraphServer({
    sources: { imageTask: imageTaskSource(mps), workflowTask: workflowTaskSource(ice) },
    loaderOptions: { concurrency: config.upstream.concurrency, maxBatchSize: config.upstream.maxBatchSize },
    maxTaskIds: config.limits.maxTaskIds,
    taskMaxAge: { terminalSeconds: 600, runningSeconds: 2 },
    exposeSchema: config.exposeSchema,
    includeStacktrace: config.nodeEnv === 'development',
    bodyLimitBytes: config.limits.bodyLimitBytes,
    logger: deps.logger,
  });
  const url = await server.listen(listen.port, listen.host);

  deps.logger.info({ url, mps: config.tencent.credentials ? tencent.endpoint : 'emulator', ice: config.alibaba.credentials ? alibaba.endpoint : 'emulator' }, 'subgraph listening');
  return {
    url,
    server,
    emulator,
    stop: async () => {
      await server.stop();
      await emulator?.close();
    },
  };
}
