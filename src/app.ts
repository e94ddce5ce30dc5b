/**
 * Assembles the running subgraph from config, per provider in the registry: a signed client
 * (real endpoint, or the built-in emulator when config.emulator allows it), the upstream stack
 * over it, then the HTTP server. Every outside effect comes in through `deps`.
 */
import type { Logger } from 'pino';
import type { AppConfig } from './config/index.js';
import type { RunningEmulator, SampleTask } from './emulator/index.js';
import { startCredentials, type AppCredentials } from './providers/credentials/start.js';
import type { TaskSources } from './loaders/task-loaders.js';
import type { FetchLike } from './providers/http.js';
import type { ProviderName } from './providers/errors.js';
import { PROVIDER_LIST, taskSources, type EmulatorTarget, type ProviderDescriptor } from './providers/registry.js';
import { combineUpstreamSubscribers, createMetrics, type Metrics } from './observability/metrics.js';
import { createSubgraphServer, type ServerOptions, type SubgraphServer } from './server.js';
import { subscriptionWatches } from './subscriptions/wiring.js';
import { notConfiguredSource } from './sources/provider-sources.js';
import type { TaskSource } from './sources/task-source.js';
import { systemClock, type Clock } from './upstream/clock.js';
import type { RateLimiter } from './upstream/rate-limiter.js';
import type { UpstreamEvents } from './upstream/events.js';
import { noTracing, type Tracing } from './observability/tracing.js';
import type { SharedMode } from './upstream/shared/shared-mode.js';
import { upstreamSource, type UpstreamDeps, type UpstreamPolicy } from './upstream/upstream-source.js';

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
  readonly providers: Readonly<Record<ProviderName, ProviderMode>>;
  /** The sample tasks of the providers the emulator answers for; empty when it answers for none. */
  readonly samples: readonly SampleTask[];
  /** This app's Prometheus registry and recorders, served at GET /metrics. */
  readonly metrics: Metrics;
  stop(): Promise<void>;
}

type Provider = ProviderDescriptor<{ readonly terminal: boolean }>;

function providerModes(config: AppConfig, credentials: AppCredentials): Record<ProviderName, ProviderMode> {
  const modeOf = (provider: Provider): ProviderMode =>
    provider.hasCredentials(credentials) ? 'credentials' : config.emulator ? 'emulator' : 'not-configured';
  return Object.fromEntries(PROVIDER_LIST.map((provider) => [provider.name, modeOf(provider)])) as Record<
    ProviderName,
    ProviderMode
  >;
}

interface Emulated {
  readonly emulator: RunningEmulator;
  readonly target: EmulatorTarget;
  readonly samples: readonly SampleTask[];
}

/** The only place an emulator is started (config.emulator is off in production unless EMULATOR=on), and imported. */
async function startEmulated(modes: Record<ProviderName, ProviderMode>, now: () => number): Promise<Emulated | null> {
  const emulated = PROVIDER_LIST.filter((provider) => modes[provider.name] === 'emulator');
  if (emulated.length === 0) return null;
  const { EMULATOR_CREDENTIALS, sampleTasks, startEmulator } = await import('./emulator/index.js');
  const emulator = await startEmulator({ now });
  return {
    emulator,
    target: { url: emulator.url, credentials: EMULATOR_CREDENTIALS },
    // Samples only for the providers the emulator answers for: they are its ids, nobody else's.
    samples: sampleTasks(emulated.map((provider) => provider.sampleKind)),
  };
}

/**
 * The longest refresh interval the scheduler hands out: every watched task in turn from the share
 * of the quota a refresh is sure of (at least one call a second), or the waiting interval.
 */
function longestRefreshIntervalMs(config: AppConfig, ratePerSecond: number): number {
  const spare = Math.max(1, ratePerSecond * config.upstream.rateLimit.reservedShare);
  const stretched = Math.ceil((config.subscriptions.maxWatchedTasks / spare) * 1000);
  return Math.max(stretched, config.subscriptions.waitingIntervalMs, config.upstream.cache.runningTtlMs);
}

function upstreamPolicy(config: AppConfig, ratePerSecond: number): UpstreamPolicy {
  const { upstream } = config;
  return {
    cache: upstream.cache,
    retry: {
      maxAttempts: upstream.maxAttempts,
      baseDelayMs: upstream.retryBaseDelayMs,
      maxDelayMs: upstream.retryMaxDelayMs,
    },
    rateLimit: {
      ratePerSecond,
      maxQueue: upstream.rateLimit.maxQueue,
      marginMs: upstream.rateLimit.marginMs,
      reservedShare: upstream.rateLimit.reservedShare,
    },
    defaultDeadlineMs: upstream.requestDeadlineMs,
    refreshRetainMs: longestRefreshIntervalMs(config, ratePerSecond),
  };
}

interface ProviderParts {
  readonly config: AppConfig;
  readonly deps: AppDeps;
  readonly emulated: Emulated | null;
  readonly upstreamDeps: UpstreamDeps;
  readonly sharedMode: SharedMode | null;
  readonly metrics: Metrics;
  readonly credentials: AppCredentials;
  /** Filled per provider: who answers it, for the 'subgraph listening' line. */
  readonly answeredBy: Map<Provider, string | null>;
  /** Filled per provider: drops every tier's answer for one task. */
  readonly forgetters: Map<ProviderName, (taskId: string) => Promise<void>>;
  /** Filled per provider: its rate limiter, for the refresh scheduler. */
  readonly limiters: Map<ProviderName, RateLimiter>;
}

/** One provider's source: the upstream stack over its signed client, or PROVIDER_NOT_CONFIGURED (said at warn). */
function providerSource<T extends { readonly terminal: boolean }>(
  provider: ProviderDescriptor<T>,
  parts: ProviderParts,
): TaskSource<T> {
  const { config, deps, metrics } = parts;
  const clientDeps = {
    fetch: deps.fetch,
    now: deps.now,
    randomNonce: deps.randomNonce,
    timeoutMs: config.upstream.timeoutMs,
  };
  const connection = provider.connect(config, clientDeps, parts.emulated?.target ?? null, parts.credentials);
  parts.answeredBy.set(provider, connection?.endpoint ?? null);
  if (!connection) {
    // Said at start-up, so the deployment that forgot its keys shows it before the first query does.
    deps.logger.warn(
      { provider: provider.name, set: provider.credentialVariables },
      `no credentials for ${provider.title} and the emulator is off: every ${provider.field} lookup answers PROVIDER_NOT_CONFIGURED; set ${provider.credentialVariables.join(' and ')}, or another credential source (docs/credentials.md)`,
    );
    return notConfiguredSource(provider.name, provider.credentialVariables);
  }
  // Once per process: the cache, the in-flight map and the rate budget are shared by all requests.
  // In Redis, its entries are its deployment's own: who is asked (endpoint, region, emulator) and as whom (a key id, or the role of a temporary credential).
  const identity = {
    provider: provider.name,
    endpoint: connection.endpoint,
    keyId: connection.keyId,
    region: connection.region,
    emulator: !provider.hasCredentials(parts.credentials),
  };
  const shared = parts.sharedMode?.forProvider(identity, provider.accepts);
  const upstream = upstreamSource(
    provider.name,
    connection.source,
    upstreamPolicy(config, provider.ratePerSecond(config.upstream)),
    { ...parts.upstreamDeps, shared },
  );
  metrics.watchRateLimitQueue(provider.name, () => upstream.limiter.queueLength);
  metrics.watchTaskCache(provider.name, upstream.cacheSize);
  parts.forgetters.set(provider.name, upstream.forget);
  parts.limiters.set(provider.name, upstream.limiter);
  return upstream.source;
}

/** What building every provider's source found out, per provider. */
interface ProviderWiring extends Pick<ProviderParts, 'answeredBy' | 'forgetters' | 'limiters'> {
  readonly sources: TaskSources;
}

/** Every provider's source, in registry order; said at warn when none of them can answer anything. */
function providerSources(inputs: Omit<ProviderParts, 'answeredBy' | 'forgetters' | 'limiters'>): ProviderWiring {
  const parts: ProviderParts = { ...inputs, answeredBy: new Map(), forgetters: new Map(), limiters: new Map() };
  const sources = taskSources((provider) => providerSource(provider, parts));
  if ([...parts.answeredBy.values()].every((endpoint) => endpoint === null)) {
    parts.deps.logger.warn(
      { set: PROVIDER_LIST.flatMap((provider) => provider.credentialVariables) },
      'no provider is configured and the emulator is off: this subgraph can answer no task (EMULATOR=on serves the built-in emulator for local use)',
    );
  }
  return { sources, answeredBy: parts.answeredBy, forgetters: parts.forgetters, limiters: parts.limiters };
}

/** Each provider's credential source, chosen once; its first fetch is made here (a failure keeps /ready at 503). */
function startAppCredentials(config: AppConfig, deps: AppDeps, metrics: Metrics): Promise<AppCredentials> {
  return startCredentials(config.credentialSources, {
    fetch: deps.fetch,
    now: deps.now,
    logger: deps.logger,
    ...(deps.random && { random: deps.random }),
    timeoutMs: config.upstream.timeoutMs,
    metrics,
  });
}

/** Imported only in shared mode: the default process loads neither this nor a Redis client. */
async function startShared(
  config: AppConfig,
  clock: Clock,
  logger: Logger,
  metrics: Metrics,
): Promise<SharedMode | null> {
  if (!config.redis) return null;
  const { startSharedMode } = await import('./upstream/shared/shared-mode.js');
  return startSharedMode(config.redis, clock, logger, {
    redisState: (state) => metrics.redisState(state),
    redisFallback: () => metrics.redisFallback(),
    valueDropped: (provider, reason) => metrics.redisValueDropped(provider, reason),
  });
}

/** This app's own OpenTelemetry, when deps bring no tracing and OTEL_EXPORTER_OTLP_ENDPOINT is set: the default process never loads the SDK. */
async function startOwnTracing(config: AppConfig, deps: AppDeps): Promise<Tracing | null> {
  if (deps.tracing !== undefined || !config.tracing) return null;
  return (await import('./observability/otel.js')).startOtelTracing(config.tracing);
}

function upstreamDepsOf(clock: Clock, deps: AppDeps, metrics: Metrics): UpstreamDeps {
  return {
    clock,
    random: deps.random ?? Math.random,
    events: combineUpstreamSubscribers(metrics.upstreamEvents, deps.upstreamEvents),
  };
}

interface ServerParts {
  readonly wiring: ProviderWiring;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly tracing: Tracing;
  readonly emulated: Emulated | null;
  readonly credentials: AppCredentials;
}

function serverOptions(config: AppConfig, deps: AppDeps, parts: ServerParts): ServerOptions {
  const { wiring, metrics } = parts;
  return {
    config,
    sources: wiring.sources,
    // Pollers read the same upstream sources as the loaders: cache, in-flight sharing, retry and rate limit apply.
    watches: subscriptionWatches(wiring.sources, config, {
      clock: parts.clock,
      metrics,
      logger: deps.logger,
      // Each provider's scheduler hands out what its limiter leaves.
      quotas: Object.fromEntries(wiring.limiters),
    }),
    // Samples only for the providers the built-in emulator answers for: they are its ids, nobody else's.
    dashboard: config.dashboard ? { samples: parts.emulated?.samples ?? null } : null,
    now: deps.now,
    metrics,
    logger: deps.logger,
    tracing: parts.tracing,
    ready: parts.credentials.isReady,
  };
}

/** A task scripted or advanced through the emulator's controls shows at the next look, not when its cache entry ends. */
function forgetEmulatorChanges(
  emulator: RunningEmulator | null,
  providers: Readonly<Record<ProviderName, ProviderMode>>,
  server: SubgraphServer,
  forgetters: ProviderWiring['forgetters'],
): void {
  emulator?.onTaskChange((provider, taskId) => {
    if (providers[provider] !== 'emulator') return;
    server.forgetCachedResponses();
    void forgetters.get(provider)?.(taskId);
  });
}

interface Listening {
  readonly url: string;
  readonly providers: Readonly<Record<ProviderName, ProviderMode>>;
  readonly answeredBy: ProviderWiring['answeredBy'];
  readonly emulator: RunningEmulator | null;
  readonly sharedMode: SharedMode | null;
  readonly tracing: Tracing;
}

function logListening(logger: Logger, listening: Listening): void {
  const { providers } = listening;
  // Per provider: its endpoint when it has credentials, else its mode.
  const answered = PROVIDER_LIST.map((provider) => [
    provider.logField,
    providers[provider.name] === 'credentials' ? (listening.answeredBy.get(provider) ?? '') : providers[provider.name],
  ]);
  logger.info(
    {
      url: listening.url,
      ...Object.fromEntries(answered),
      emulator: listening.emulator?.url ?? null,
      // Whether replicas share cache, calls and quota; the URL itself is a secret.
      shared: listening.sharedMode !== null,
      // Whether spans are exported; the endpoint may carry a collector's credentials.
      tracing: listening.tracing.enabled,
    },
    'subgraph listening',
  );
}

async function stopApp(
  server: SubgraphServer,
  sharedMode: SharedMode | null,
  ownTracing: Tracing | null,
  emulator: RunningEmulator | null,
): Promise<void> {
  await server.stop();
  await sharedMode?.close();
  // Sends the spans still batched; a collector that does not answer must not hold up the exit for long.
  await ownTracing?.shutdown().catch(() => undefined);
  await emulator?.close();
}

export async function startApp(
  config: AppConfig,
  deps: AppDeps,
  listen: { port: number; host?: string },
): Promise<RunningApp> {
  const metrics = createMetrics();
  const credentials = await startAppCredentials(config, deps, metrics);
  const providers = providerModes(config, credentials);
  const emulated = await startEmulated(providers, deps.now);
  const clock = systemClock(deps.now);
  const sharedMode = await startShared(config, clock, deps.logger, metrics);
  const ownTracing = await startOwnTracing(config, deps);
  const tracing = deps.tracing ?? ownTracing ?? noTracing;
  const upstreamDeps = upstreamDepsOf(clock, deps, metrics);
  const wiring = providerSources({ config, deps, emulated, upstreamDeps, sharedMode, metrics, credentials });
  const server = await createSubgraphServer(
    serverOptions(config, deps, { wiring, clock, metrics, tracing, emulated, credentials }),
  );
  const url = await server.listen(listen.port, listen.host);
  const emulator = emulated?.emulator ?? null;
  forgetEmulatorChanges(emulator, providers, server, wiring.forgetters);
  logListening(deps.logger, { url, providers, answeredBy: wiring.answeredBy, emulator, sharedMode, tracing });
  return {
    url,
    server,
    emulator,
    providers,
    samples: emulated?.samples ?? [],
    metrics,
    stop: () => stopApp(server, sharedMode, ownTracing, emulator),
  };
}
