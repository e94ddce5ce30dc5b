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
import { combineUpstreamSubscribers, createMetrics, upstreamSubscriber, type Metrics } from './observability/metrics.js';
import { createSubgraphServer, type SubgraphServer } from './server.js';
import { imageTaskSource, workflowTaskSource } from './sources/provider-sources.js';
import { cachePolicy } from './upstream/cache.js';
import { systemClock } from './upstream/clock.js';
import type { UpstreamEvents } from './upstream/events.js';
import { upstreamSource, type UpstreamPolicy } from './upstream/upstream-source.js';

export interface AppDeps {
  readonly fetch: FetchLike;
  readonly now: () => number;
  readonly randomNonce: () => string;
  readonly logger: Logger;
  /** Uniform in [0, 1), for retry jitter; Math.random when absent. */
  readonly random?: () => number;
  /** Subscribers to cache, retry, rate-limit and call events (metrics, logs). */
  readonly upstreamEvents?: Partial<UpstreamEvents>;
}

export interface RunningApp {
  readonly url: string;
  readonly server: SubgraphServer;
  /** The in-process emulator, when a provider had no credentials. */
  readonly emulator: RunningEmulator | null;
  /** This app's Prometheus registry and recorders, served at GET /metrics. */
  readonly metrics: Metrics;
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

  // Once per process: the cache, the in-flight map and the rate budget are shared by all requests.
  const { upstream } = config;
  const policy = (ratePerSecond: number): UpstreamPolicy => ({
    cache: upstream.cache,
    retry: { maxAttempts: upstream.maxAttempts, baseDelayMs: upstream.retryBaseDelayMs, maxDelayMs: upstream.retryMaxDelayMs },
    rateLimit: { ratePerSecond, maxQueue: upstream.rateLimit.maxQueue },
    defaultDeadlineMs: upstream.requestDeadlineMs,
  });
  const metrics = createMetrics();
  const upstreamDeps = {
    clock: systemClock(deps.now),
    random: deps.random ?? Math.random,
    events: combineUpstreamSubscribers(upstreamSubscriber(metrics), deps.upstreamEvents),
  };
  const imageTasks = upstreamSource('tencent-mps', imageTaskSource(mps), policy(upstream.rateLimit.mpsRps), upstreamDeps);
  const workflowTasks = upstreamSource('alibaba-ice', workflowTaskSource(ice), policy(upstream.rateLimit.iceRps), upstreamDeps);
  metrics.watchRateLimitQueue('tencent-mps', () => imageTasks.limiter.queueLength);
  metrics.watchRateLimitQueue('alibaba-ice', () => workflowTasks.limiter.queueLength);
  metrics.watchTaskCache('tencent-mps', imageTasks.cacheSize);
  metrics.watchTaskCache('alibaba-ice', workflowTasks.cacheSize);

  const server = await createSubgraphServer({
    sources: { imageTask: imageTasks.source, workflowTask: workflowTasks.source },
    loaderOptions: { concurrency: config.upstream.concurrency, maxBatchSize: config.upstream.maxBatchSize },
    maxTaskIds: config.limits.maxTaskIds,
    maxEntityRepresentations: config.limits.maxEntityRepresentations,
    // Hints follow the same TTLs as the cache, so downstream caches and this one agree on freshness.
    taskMaxAge: {
      terminalSeconds: cachePolicy({ terminal: true }, upstream.cache).maxAgeSeconds,
      runningSeconds: cachePolicy({ terminal: false }, upstream.cache).maxAgeSeconds,
    },
    requestDeadlineMs: upstream.requestDeadlineMs,
    // The response cache holds what the task cache would; with caching off, neither runs.
    responseCacheMaxBytes: upstream.cache.maxEntries > 0 && upstream.cache.maxBytes > 0 ? upstream.responseCacheMaxBytes : 0,
    now: deps.now,
    exposeSchema: config.exposeSchema,
    includeStacktrace: config.nodeEnv === 'development',
    bodyLimitBytes: config.limits.bodyLimitBytes,
    queryLimits: { maxDepth: config.limits.maxQueryDepth, maxAliases: config.limits.maxQueryAliases, maxTokens: config.limits.maxQueryTokens, maxCost: config.limits.maxQueryCost },
    inputBounds: { maxDepth: config.limits.maxInputDepth, maxValues: config.limits.maxInputValues },
    routerAuth: config.security.sharedSecret ? { secret: config.security.sharedSecret, header: config.security.sharedSecretHeader } : null,
    shutdownDelayMs: config.shutdownDelayMs,
    metrics,
    logger: deps.logger,
  });
  const url = await server.listen(listen.port, listen.host);

  deps.logger.info({ url, mps: config.tencent.credentials ? tencent.endpoint : 'emulator', ice: config.alibaba.credentials ? alibaba.endpoint : 'emulator' }, 'subgraph listening');
  return {
    url,
    server,
    emulator,
    metrics,
    stop: async () => {
      await server.stop();
      await emulator?.close();
    },
  };
}
