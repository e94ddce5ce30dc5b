/**
 * Assembles the running subgraph from config: provider clients (against the real
 * endpoints, or, when config.emulator allows it, the built-in emulator for a provider
 * without credentials), the task sources over them, and the HTTP server. A provider with
 * neither answers PROVIDER_NOT_CONFIGURED. Every outside effect comes in through `deps`.
 */
import type { Logger } from 'pino';
import { CREDENTIAL_VARIABLES, type AlibabaConfig, type AppConfig, type TencentConfig } from './config/index.js';
import { EMULATOR_CREDENTIALS, sampleTasks, startEmulator, type RunningEmulator, type SampleKind } from './emulator/index.js';
import { createIceClient } from './providers/alibaba/client.js';
import type { FetchLike } from './providers/http.js';
import { createMpsClient } from './providers/tencent/client.js';
import { combineUpstreamSubscribers, createMetrics, type Metrics } from './observability/metrics.js';
import { createSubgraphServer, type SubgraphServer } from './server.js';
import { subscriptionWatches } from './subscriptions/wiring.js';
import { imageTaskSource, notConfiguredSource, workflowTaskSource } from './sources/provider-sources.js';
import { cachePolicy } from './upstream/cache.js';
import { systemClock } from './upstream/clock.js';
import type { UpstreamEvents } from './upstream/events.js';
import { noTracing, type Tracing } from './observability/tracing.js';
import { isImageTaskModel, isWorkflowTaskModel } from './upstream/shared/model-shapes.js';
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
  /** Spans (tests pass an in-memory one); absent, OpenTelemetry when config.tracing is set, else none. */
  readonly tracing?: Tracing;
}

/** Who answers a provider's lookups: its real API, the built-in emulator, or nobody (PROVIDER_NOT_CONFIGURED). */
export type ProviderMode = 'credentials' | 'emulator' | 'not-configured';

export interface RunningApp {
  readonly url: string;
  readonly server: SubgraphServer;
  /** The in-process emulator, when a provider had no credentials and config.emulator allowed it. */
  readonly emulator: RunningEmulator | null;
  readonly providers: { readonly tencent: ProviderMode; readonly alibaba: ProviderMode };
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

function emulatedKinds(providers: RunningApp['providers']): SampleKind[] {
  return [...(providers.tencent === 'emulator' ? (['image'] as const) : []), ...(providers.alibaba === 'emulator' ? (['workflow'] as const) : [])];
}

export async function startApp(config: AppConfig, deps: AppDeps, listen: { port: number; host?: string }): Promise<RunningApp> {
  const modeOf = (configured: boolean): ProviderMode => (configured ? 'credentials' : config.emulator ? 'emulator' : 'not-configured');
  const providers = { tencent: modeOf(config.tencent.credentials !== null), alibaba: modeOf(config.alibaba.credentials !== null) };
  // The only place an emulator is started: config.emulator is off in production unless EMULATOR=on.
  const emulator = providers.tencent === 'emulator' || providers.alibaba === 'emulator' ? await startEmulator({ now: deps.now }) : null;

  const tencent = config.tencent.credentials
    ? { ...config.tencent, credentials: config.tencent.credentials }
    : emulator && emulatedTencent(config.tencent, emulator);
  const alibaba = config.alibaba.credentials
    ? { ...config.alibaba, credentials: config.alibaba.credentials }
    : emulator && emulatedAlibaba(config.alibaba, emulator);

  const mps = tencent && createMpsClient({ fetch: deps.fetch, now: deps.now, config: tencent, timeoutMs: config.upstream.timeoutMs });
  const ice =
    alibaba &&
    createIceClient({
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
    rateLimit: { ratePerSecond, maxQueue: upstream.rateLimit.maxQueue, marginMs: upstream.rateLimit.marginMs },
    defaultDeadlineMs: upstream.requestDeadlineMs,
  });
  const metrics = createMetrics();
  const clock = systemClock(deps.now);
  // Imported only in shared mode: the default process loads neither this nor a Redis client.
  const sharedMode = config.redis
    ? await (await import('./upstream/shared/shared-mode.js')).startSharedMode(config.redis, clock, deps.logger, {
        redisState: (state) => metrics.redisState(state),
        redisFallback: () => metrics.redisFallback(),
        valueDropped: (provider, reason) => metrics.redisValueDropped(provider, reason),
      })
    : null;
  // Imported only when OTEL_EXPORTER_OTLP_ENDPOINT is set: the default process never loads the SDK.
  const ownTracing = deps.tracing === undefined && config.tracing ? await (await import('./observability/otel.js')).startOtelTracing(config.tracing) : null;
  const tracing = deps.tracing ?? ownTracing ?? noTracing;
  const upstreamDeps = {
    clock,
    random: deps.random ?? Math.random,
    events: combineUpstreamSubscribers(metrics.upstreamEvents, deps.upstreamEvents),
  };
  // Each provider's entries in Redis are its deployment's own: who is asked (endpoint, region, emulator) and as whom (key id).
  const imageTasks =
    tencent &&
    mps &&
    upstreamSource('tencent-mps', imageTaskSource(mps), policy(upstream.rateLimit.mpsRps), {
      ...upstreamDeps,
      shared: sharedMode?.forProvider(
        { provider: 'tencent-mps', endpoint: tencent.endpoint, keyId: tencent.credentials.secretId, region: tencent.region, emulator: providers.tencent === 'emulator' },
        isImageTaskModel,
      ),
    });
  const workflowTasks =
    alibaba &&
    ice &&
    upstreamSource('alibaba-ice', workflowTaskSource(ice), policy(upstream.rateLimit.iceRps), {
      ...upstreamDeps,
      shared: sharedMode?.forProvider(
        { provider: 'alibaba-ice', endpoint: alibaba.endpoint, keyId: alibaba.credentials.accessKeyId, region: alibaba.region, emulator: providers.alibaba === 'emulator' },
        isWorkflowTaskModel,
      ),
    });
  if (imageTasks) metrics.watchRateLimitQueue('tencent-mps', () => imageTasks.limiter.queueLength);
  if (workflowTasks) metrics.watchRateLimitQueue('alibaba-ice', () => workflowTasks.limiter.queueLength);
  if (imageTasks) metrics.watchTaskCache('tencent-mps', imageTasks.cacheSize);
  if (workflowTasks) metrics.watchTaskCache('alibaba-ice', workflowTasks.cacheSize);

  // Said at start-up, at warn, so the deployment that forgot its keys shows it before the first query does.
  if (!imageTasks) {
    deps.logger.warn(
      { provider: 'tencent-mps', set: CREDENTIAL_VARIABLES.tencent },
      `no credentials for Tencent MPS and the emulator is off: every imageTask lookup answers PROVIDER_NOT_CONFIGURED; set ${CREDENTIAL_VARIABLES.tencent.join(' and ')}`,
    );
  }
  if (!workflowTasks) {
    deps.logger.warn(
      { provider: 'alibaba-ice', set: CREDENTIAL_VARIABLES.alibaba },
      `no credentials for Alibaba ICE and the emulator is off: every workflowTask lookup answers PROVIDER_NOT_CONFIGURED; set ${CREDENTIAL_VARIABLES.alibaba.join(' and ')}`,
    );
  }
  if (!imageTasks && !workflowTasks) {
    deps.logger.warn(
      { set: [...CREDENTIAL_VARIABLES.tencent, ...CREDENTIAL_VARIABLES.alibaba] },
      'no provider is configured and the emulator is off: this subgraph can answer no task (EMULATOR=on serves the built-in emulator for local use)',
    );
  }

  const sources = {
    imageTask: imageTasks?.source ?? notConfiguredSource('tencent-mps', CREDENTIAL_VARIABLES.tencent),
    workflowTask: workflowTasks?.source ?? notConfiguredSource('alibaba-ice', CREDENTIAL_VARIABLES.alibaba),
  };
  const server = await createSubgraphServer({
    sources,
    // Pollers read the same upstream sources as the loaders: cache, in-flight sharing, retry and rate limit apply.
    watches: subscriptionWatches(sources, config, { clock: upstreamDeps.clock, metrics, logger: deps.logger }),
    subscriptions: { maxPerConnection: config.subscriptions.maxPerConnection, initTimeoutMs: config.subscriptions.initTimeoutMs },
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
    // Samples only for the providers the built-in emulator answers for: they are its ids, nobody else's.
    dashboard: config.dashboard ? { samples: emulator ? sampleTasks(emulatedKinds(providers)) : null } : null,
    includeStacktrace: config.nodeEnv === 'development',
    bodyLimitBytes: config.limits.bodyLimitBytes,
    queryLimits: { maxDepth: config.limits.maxQueryDepth, maxAliases: config.limits.maxQueryAliases, maxTokens: config.limits.maxQueryTokens, maxCost: config.limits.maxQueryCost },
    inputBounds: { maxDepth: config.limits.maxInputDepth, maxValues: config.limits.maxInputValues },
    routerAuth: config.security.sharedSecret ? { secret: config.security.sharedSecret, header: config.security.sharedSecretHeader } : null,
    documentCacheMaxBytes: config.documentCacheMaxBytes,
    shutdownDelayMs: config.shutdownDelayMs,
    shutdownGraceMs: config.shutdownGraceMs,
    metrics,
    logger: deps.logger,
    tracing,
  });
  const url = await server.listen(listen.port, listen.host);

  const answeredBy = (mode: ProviderMode, endpoint: string | undefined): string => (mode === 'credentials' ? (endpoint ?? '') : mode);
  deps.logger.info(
    {
      url,
      mps: answeredBy(providers.tencent, tencent?.endpoint),
      ice: answeredBy(providers.alibaba, alibaba?.endpoint),
      emulator: emulator?.url ?? null,
      // Whether replicas share cache, calls and quota; the URL itself is a secret.
      shared: sharedMode !== null,
      // Whether spans are exported; the endpoint may carry a collector's credentials.
      tracing: tracing.enabled,
    },
    'subgraph listening',
  );
  return {
    url,
    server,
    emulator,
    providers,
    metrics,
    stop: async () => {
      await server.stop();
      await sharedMode?.close();
      // Sends the spans still batched; a collector that does not answer must not hold up the exit for long.
      await ownTracing?.shutdown().catch(() => undefined);
      await emulator?.close();
    },
  };
}
