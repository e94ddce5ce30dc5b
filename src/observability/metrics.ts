/**
 * The app's metric recorders over its own Registry (served at GET /metrics), built from
 * the table in metric-series.ts. Label values come from closed sets, except operation
 * names: checked against the GraphQL name grammar and capped (see docs/observability.md).
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { CredentialState, RefreshOutcome } from '../providers/credentials/holder.js';
import type { ProviderName } from '../providers/errors.js';
import { PROVIDERS } from '../providers/registry.js';
import type { CallPriority } from '../sources/task-source.js';
import type { TaskCacheSize } from '../upstream/cache.js';
import { guarded, type UpstreamEvents } from '../upstream/events.js';
import type { DropReason } from '../upstream/shared/codec.js';
import type { RedisState } from '../upstream/shared/redis-link.js';
import { GRAPHQL_NAME } from './graphql-name.js';
import { buildSeries, type BuiltSeries, type Collectors } from './metric-registry.js';

/** `ok`: no errors; `partial`: data and errors (e.g. one id of a list failed); `failed`: errors and no data. */
export type GraphQLOutcome = 'ok' | 'partial' | 'failed';

/** Why a request was turned away before GraphQL saw it. */
export type RefusalReason =
  | 'unauthenticated'
  | 'body_too_large'
  | 'bad_request_body'
  | 'input_too_deep'
  | 'input_too_large'
  | 'headers_too_large'
  | 'bad_http_request'
  | 'request_timeout'
  /** The router callback protocol: off, or a URL outside SUBSCRIPTION_CALLBACK_URLS. */
  | 'callback_not_allowed'
  /** An `extensions.subscription` that is not the protocol's shape. */
  | 'bad_callback_extension'
  /** The callback URL did not accept `check`. */
  | 'callback_check_failed'
  /** A browser origin that is neither the subgraph's own nor in WEBSOCKET_ALLOWED_ORIGINS. */
  | 'origin_not_allowed'
  /** SUBSCRIPTION_MAX_ACTIVE reached (a callback subscription; WebSocket ones get SUBSCRIPTION_LIMIT on the operation). */
  | 'subscription_limit'
  /** WEBSOCKET_MAX_CONNECTIONS reached: the upgrade was answered 503. */
  | 'websocket_connection_limit'
  /** A WebSocket whose client did not read its output in time: closed 1008. */
  | 'websocket_slow_reader'
  /** HTTP_MAX_CONNECTIONS reached: the connection was closed as it arrived. */
  | 'connection_limit';

export interface GraphQLRequestSample {
  readonly operationName: string | null;
  /**
   * Refused before execution (did not parse, did not validate, no such operation, over a
   * limit): counted under the one label `(refused)`, so names of operations that do not
   * exist never take a place in the label budget.
   */
  readonly refused: boolean;
  readonly outcome: GraphQLOutcome;
  readonly durationMs: number;
  /** `extensions.code` of each error in the response. */
  readonly errorCodes: readonly string[];
}

export interface Metrics {
  readonly registry: Registry;
  /** The app's UpstreamEvents subscriber: cache, in-flight, retry, deadline, rate-limit and call events become series. */
  readonly upstreamEvents: UpstreamEvents;
  graphqlRequest(sample: GraphQLRequestSample): void;
  httpRefused(reason: RefusalReason): void;
  /** Reads a rate limiter's queue length at every scrape, so the gauge is live, not as of the last event. */
  watchRateLimitQueue(provider: ProviderName, queueLength: () => number): void;
  /** Reads a provider's task cache size (src/upstream/cache.ts) at every scrape. */
  watchTaskCache(provider: ProviderName, size: () => TaskCacheSize): void;
  /** A request answered by the edge cache (src/http-cache/). */
  edgeCacheHit(): void;
  /** Shared mode: Redis takes every command (up), answers but refuses writes (degraded), or does not answer (down). */
  redisState(state: RedisState): void;
  /** Shared mode: an entry read from Redis that was not used (undecodable, of the wrong shape, or with a wrong MAC). */
  redisValueDropped(provider: ProviderName, reason: DropReason): void;
  /** Shared mode: a Redis command not run or failed, so its caller did what one process does alone. */
  redisFallback(): void;
  /** Reads the edge cache's size at every scrape. */
  watchEdgeCache(size: () => EdgeCacheSize): void;
  /** One poll of a subscription poller (src/subscriptions/), by what it found. */
  subscriptionPoll(provider: ProviderName, outcome: SubscriptionPollOutcome): void;
  /** An event handed to one subscriber: a task state, or the error that ends it. */
  subscriptionEventSent(provider: ProviderName, kind: 'task' | 'error'): void;
  /** Reads a provider's active subscriptions and pollers at every scrape. */
  watchSubscriptions(provider: ProviderName, counts: () => SubscriptionCounts): void;
  /** A provider call granted by the rate limiter, by priority class. */
  quotaUsed(provider: ProviderName, priority: CallPriority): void;
  /** A subscription refused to its client's budget of watched tasks. */
  subscriptionBudgetRefused(provider: ProviderName): void;
  /** Reads a provider's effective refresh interval (ms) at every scrape. */
  watchRefreshInterval(provider: ProviderName, intervalMs: () => number): void;
  /** Reads a provider's credential (source, expiry) at every scrape (src/providers/credentials/). */
  watchCredential(provider: ProviderName, state: () => CredentialState): void;
  /** One fetch of a credential from its source. */
  credentialRefresh(outcome: RefreshOutcome): void;
}

export type SubscriptionPollOutcome = 'changed' | 'unchanged' | 'transient_error' | 'fatal_error';

export interface EdgeCacheSize {
  readonly entries: number;
  readonly bytes: number;
}

export interface SubscriptionCounts {
  readonly pollers: number;
  readonly subscribers: number;
}

export interface MetricsOptions {
  /** Process and Node.js runtime metrics (`process_*`, `nodejs_*`). Default true. */
  readonly defaultMetrics?: boolean;
  /** Distinct operation names kept as label values; later ones are counted as `(other)`. Default 200. */
  readonly maxOperationNames?: number;
}

/** The scrape-time readers handed in by the watch* recorders. */
interface Readers {
  readonly rateLimitQueue: Map<ProviderName, () => number>;
  readonly taskCache: Map<ProviderName, () => TaskCacheSize>;
  readonly subscriptions: Map<ProviderName, () => SubscriptionCounts>;
  readonly refreshInterval: Map<ProviderName, () => number>;
  readonly credentials: Map<ProviderName, () => CredentialState>;
  edgeCache?: () => EdgeCacheSize;
}

function collectorsOf(readers: Readers): Collectors {
  return {
    rateLimitQueue(gauge) {
      for (const [provider, read] of readers.rateLimitQueue) gauge.set({ provider }, read());
    },
    taskCacheEntries(gauge) {
      for (const [provider, read] of readers.taskCache) gauge.set({ provider }, read().entries);
    },
    taskCacheBytes(gauge) {
      for (const [provider, read] of readers.taskCache) gauge.set({ provider }, read().bytes);
    },
    edgeCacheEntries(gauge) {
      if (readers.edgeCache) gauge.set(readers.edgeCache().entries);
    },
    edgeCacheBytes(gauge) {
      if (readers.edgeCache) gauge.set(readers.edgeCache().bytes);
    },
    subscriptionsActive(gauge) {
      for (const [provider, read] of readers.subscriptions) gauge.set({ provider }, read().subscribers);
    },
    subscriptionPollers(gauge) {
      for (const [provider, read] of readers.subscriptions) gauge.set({ provider }, read().pollers);
    },
    subscriptionRefreshInterval(gauge) {
      for (const [provider, read] of readers.refreshInterval) gauge.set({ provider }, read() / 1000);
    },
    credentialSource(gauge) {
      for (const [provider, read] of readers.credentials) gauge.set({ provider, source: read().source }, 1);
    },
    credentialExpiry(gauge) {
      gauge.reset();
      for (const [provider, read] of readers.credentials) {
        const { expiresAtMs } = read();
        if (expiresAtMs !== null) gauge.set({ provider }, expiresAtMs / 1000);
      }
    },
  };
}

/** Operation name to label value: only GraphQL names, at most `max` distinct ones. */
function operationLabeller(max: number): (name: string | null, refused: boolean) => string {
  const seen = new Set<string>();
  return (name, refused) => {
    if (refused) return '(refused)';
    if (name === null || name === '') return '(anonymous)';
    if (!GRAPHQL_NAME.test(name)) return '(invalid)';
    if (seen.has(name)) return name;
    if (seen.size >= max) return '(other)';
    seen.add(name);
    return name;
  };
}

function upstreamRecorder(series: BuiltSeries): UpstreamEvents {
  return {
    onUpstreamCall(provider, outcome, durationMs) {
      const action = PROVIDERS[provider].action;
      series.upstreamRequests.inc({ provider, action, outcome });
      series.upstreamDuration.observe({ provider, action }, durationMs / 1000);
    },
    onCacheHit: (provider) => series.cacheHits.inc({ provider }),
    onCacheMiss: (provider) => series.cacheMisses.inc({ provider }),
    onInFlightShared: (provider) => series.inFlightShared.inc({ provider }),
    onRetry: (provider) => series.upstreamRetries.inc({ provider, action: PROVIDERS[provider].action }),
    onDeadlineExceeded: (provider) => series.upstreamDeadlines.inc({ provider }),
    onRateLimitWait(provider, waitedMs, queueLength) {
      series.rateLimitWait.observe({ provider }, waitedMs / 1000);
      series.rateLimitQueue.set({ provider }, queueLength);
    },
    onRateLimitRejected(provider, queueLength) {
      series.rateLimitRejected.inc({ provider });
      series.rateLimitQueue.set({ provider }, queueLength);
    },
    onSharedCacheHit: (provider) => series.sharedCacheHits.inc({ provider }),
    onSharedInFlight: (provider) => series.sharedInFlight.inc({ provider }),
  };
}

type Recorders = Omit<Metrics, 'registry' | 'upstreamEvents'>;

function recorders(series: BuiltSeries, readers: Readers, maxOperationNames: number): Recorders {
  const operationLabel = operationLabeller(maxOperationNames);
  return {
    graphqlRequest(sample) {
      const operation = operationLabel(sample.operationName, sample.refused);
      series.graphqlRequests.inc({ operation, outcome: sample.outcome });
      series.graphqlDuration.observe({ operation }, sample.durationMs / 1000);
      for (const code of sample.errorCodes)
        series.graphqlErrors.inc({ code: GRAPHQL_NAME.test(code) ? code : '(invalid)' });
    },
    httpRefused: (reason) => series.httpRefusals.inc({ reason }),
    watchRateLimitQueue: (provider, queueLength) => void readers.rateLimitQueue.set(provider, queueLength),
    watchTaskCache: (provider, size) => void readers.taskCache.set(provider, size),
    edgeCacheHit: () => series.edgeCacheHits.inc(),
    redisState(state) {
      series.redisUp.set(state === 'up' ? 1 : 0);
      series.redisDegraded.set(state === 'degraded' ? 1 : 0);
    },
    redisValueDropped: (provider, reason) => series.redisValuesDropped.inc({ provider, reason }),
    redisFallback: () => series.redisFallbacks.inc(),
    watchEdgeCache(size) {
      readers.edgeCache = size;
    },
    subscriptionPoll: (provider, outcome) => series.subscriptionPolls.inc({ provider, outcome }),
    subscriptionEventSent: (provider, kind) => series.subscriptionEvents.inc({ provider, kind }),
    watchSubscriptions: (provider, counts) => void readers.subscriptions.set(provider, counts),
    quotaUsed: (provider, priority) => series.quotaUsed.inc({ provider, class: priority }),
    subscriptionBudgetRefused: (provider) => series.subscriptionBudgetRefusals.inc({ provider }),
    watchRefreshInterval: (provider, intervalMs) => void readers.refreshInterval.set(provider, intervalMs),
    watchCredential: (provider, state) => void readers.credentials.set(provider, state),
    credentialRefresh: ({ provider, source, outcome }) => series.credentialRefreshes.inc({ provider, source, outcome }),
  };
}

/** The one place hooks are guarded: every recorder and event hook, so a metric failure never fails a request. */
function guardedHooks<T extends object>(hooks: T): T {
  const entries = Object.entries(hooks).map(([name, hook]: [string, unknown]) => [
    name,
    typeof hook === 'function' ? guarded(hook as (...args: unknown[]) => void) : hook,
  ]);
  return Object.fromEntries(entries) as T;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const readers: Readers = {
    rateLimitQueue: new Map(),
    taskCache: new Map(),
    subscriptions: new Map(),
    refreshInterval: new Map(),
    credentials: new Map(),
  };
  const series = buildSeries(registry, collectorsOf(readers));
  return {
    registry,
    upstreamEvents: guardedHooks(upstreamRecorder(series)),
    ...guardedHooks(recorders(series, readers, options.maxOperationNames ?? 200)),
  };
}

/** Several subscribers as one: each hook calls every subscriber that has it, in order; one that throws does not stop the rest. */
export function combineUpstreamSubscribers(
  ...subscribers: ReadonlyArray<Partial<UpstreamEvents> | undefined>
): Partial<UpstreamEvents> {
  const present = subscribers.filter((subscriber): subscriber is Partial<UpstreamEvents> => subscriber !== undefined);
  const combined: Partial<Record<keyof UpstreamEvents, (...args: never[]) => void>> = {};
  for (const subscriber of present) {
    for (const name of Object.keys(subscriber) as (keyof UpstreamEvents)[]) {
      combined[name] ??= (...args: never[]) => {
        for (const each of present) {
          try {
            (each[name] as ((...hookArgs: never[]) => void) | undefined)?.apply(each, args);
          } catch {
            // Observing a call must never change its outcome, nor starve the other observers.
          }
        }
      };
    }
  }
  return combined as Partial<UpstreamEvents>;
}
