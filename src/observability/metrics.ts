/**
 * Prometheus metrics, served at GET /metrics. Each app owns its Registry (not
 * prom-client's global one), so several apps in one process (the tests) never share
 * or double-register series. The upstream wrappers do not import this module: they
 * report through UpstreamEvents, and `upstreamSubscriber` turns those events into
 * series here. (The per-request counts of a request's log line do not come from these
 * events: they travel with the lookup, see request-telemetry.ts.)
 *
 * Label values come from closed sets (providers, actions, outcomes, error codes),
 * except the operation name, which a client chooses: only operations that parsed and
 * validated are labelled by name (refused ones share `(refused)`), the name is checked
 * against the GraphQL name grammar and the number of distinct names is capped, so a
 * caller cannot grow the registry without bound.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProviderName } from '../providers/errors.js';
import { ICE_ACTION_GET_AI_WORKFLOW_TASK } from '../providers/alibaba/client.js';
import { MPS_ACTION_DESCRIBE_IMAGE_TASK_DETAIL } from '../providers/tencent/client.js';
import type { TaskCacheSize } from '../upstream/cache.js';
import type { UpstreamEvents, UpstreamOutcome } from '../upstream/events.js';
import type { DropReason } from '../upstream/shared/codec.js';
import type { RedisState } from '../upstream/shared/redis-link.js';

/** Each provider is called with exactly one action; the label still says which, for dashboards. */
export const ACTION_BY_PROVIDER: Record<ProviderName, string> = {
  'tencent-mps': MPS_ACTION_DESCRIBE_IMAGE_TASK_DETAIL,
  'alibaba-ice': ICE_ACTION_GET_AI_WORKFLOW_TASK,
};

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
  | 'request_timeout';

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
  graphqlRequest(sample: GraphQLRequestSample): void;
  httpRefused(reason: RefusalReason): void;
  upstreamCall(provider: ProviderName, outcome: UpstreamOutcome, durationMs: number): void;
  cacheHit(provider: ProviderName): void;
  cacheMiss(provider: ProviderName): void;
  inFlightShared(provider: ProviderName): void;
  retry(provider: ProviderName): void;
  deadlineExceeded(provider: ProviderName): void;
  rateLimitWait(provider: ProviderName, waitedMs: number, queueLength: number): void;
  rateLimitRejected(provider: ProviderName, queueLength: number): void;
  /** Reads a rate limiter's queue length at every scrape, so the gauge is live, not as of the last event. */
  watchRateLimitQueue(provider: ProviderName, queueLength: () => number): void;
  /** Reads a provider's task cache size (src/upstream/cache.ts) at every scrape. */
  watchTaskCache(provider: ProviderName, size: () => TaskCacheSize): void;
  /** A request answered by the edge cache (src/http-cache/). */
  edgeCacheHit(): void;
  sharedCacheHit(provider: ProviderName): void;
  sharedInFlight(provider: ProviderName): void;
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
  watchSubscriptions(provider: ProviderName, counts: () => { readonly pollers: number; readonly subscribers: number }): void;
}

export type SubscriptionPollOutcome = 'changed' | 'unchanged' | 'transient_error' | 'fatal_error';

export interface EdgeCacheSize {
  readonly entries: number;
  readonly bytes: number;
}

export interface MetricsOptions {
  /** Process and Node.js runtime metrics (`process_*`, `nodejs_*`). Default true. */
  readonly defaultMetrics?: boolean;
  /** Distinct operation names kept as label values; later ones are counted as `(other)`. Default 200. */
  readonly maxOperationNames?: number;
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const maxOperationNames = options.maxOperationNames ?? 200;
  const operationNames = new Set<string>();

  const graphqlRequests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (ok, partial, failed).',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const graphqlDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to sending its response.',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const graphqlErrors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors in GraphQL responses by extensions.code.',
    labelNames: ['code'] as const,
    registers,
  });
  const httpRefusals = new Counter({
    name: 'http_requests_refused_total',
    help: 'Requests refused before GraphQL execution (unauthenticated, body_too_large, bad_request_body, input_too_deep, input_too_large, headers_too_large, bad_http_request, request_timeout).',
    labelNames: ['reason'] as const,
    registers,
  });
  const upstreamRequests = new Counter({
    name: 'upstream_requests_total',
    help: 'Provider calls (each attempt) by provider, action and outcome (OK or the failure kind).',
    labelNames: ['provider', 'action', 'outcome'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Duration of one provider call (one attempt, including parsing), after the rate limiter let it go.',
    labelNames: ['provider', 'action'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const retries = new Counter({
    name: 'upstream_retries_total',
    help: 'Provider call attempts that were retries.',
    labelNames: ['provider', 'action'] as const,
    registers,
  });
  const deadlines = new Counter({
    name: 'upstream_deadline_exceeded_total',
    help: 'Task lookups ended by the request deadline.',
    labelNames: ['provider'] as const,
    registers,
  });
  const cacheHits = new Counter({
    name: 'upstream_cache_hits_total',
    help: 'Task lookups answered from the cache.',
    labelNames: ['provider'] as const,
    registers,
  });
  const cacheMisses = new Counter({
    name: 'upstream_cache_misses_total',
    help: 'Task lookups the cache could not answer.',
    labelNames: ['provider'] as const,
    registers,
  });
  const inFlightShared = new Counter({
    name: 'upstream_in_flight_shared_total',
    help: 'Task lookups that joined a provider call already in flight.',
    labelNames: ['provider'] as const,
    registers,
  });
  const queueReaders = new Map<ProviderName, () => number>();
  const rateLimitQueue = new Gauge({
    name: 'upstream_rate_limiter_queue_length',
    help: 'Provider calls waiting in the rate limiter queue.',
    labelNames: ['provider'] as const,
    registers,
    collect() {
      for (const [provider, read] of queueReaders) this.set({ provider }, read());
    },
  });
  const taskCacheReaders = new Map<ProviderName, () => TaskCacheSize>();
  new Gauge({
    name: 'task_cache_entries',
    help: 'Tasks held by the process-wide task cache (expired ones until they are read or pushed out).',
    labelNames: ['provider'] as const,
    registers,
    collect() {
      for (const [provider, read] of taskCacheReaders) this.set({ provider }, read().entries);
    },
  });
  new Gauge({
    name: 'task_cache_bytes',
    help: 'Estimated bytes held by the process-wide task cache, as counted against CACHE_MAX_BYTES.',
    labelNames: ['provider'] as const,
    registers,
    collect() {
      for (const [provider, read] of taskCacheReaders) this.set({ provider }, read().bytes);
    },
  });
  let edgeCacheSize: (() => EdgeCacheSize) | undefined;
  const edgeCacheHits = new Counter({
    name: 'edge_cache_hits_total',
    help: 'Requests answered by the edge cache, before Express and Apollo.',
    registers,
  });
  new Gauge({
    name: 'edge_cache_entries',
    help: 'Answers held by the edge cache.',
    registers,
    collect() {
      if (edgeCacheSize) this.set(edgeCacheSize().entries);
    },
  });
  new Gauge({
    name: 'edge_cache_bytes',
    help: 'Bytes held by the edge cache, as counted against RESPONSE_CACHE_MAX_BYTES.',
    registers,
    collect() {
      if (edgeCacheSize) this.set(edgeCacheSize().bytes);
    },
  });
  const rateLimitWait = new Histogram({
    name: 'upstream_rate_limiter_wait_seconds',
    help: 'Time a provider call waited in the rate limiter queue.',
    labelNames: ['provider'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const rateLimitRejected = new Counter({
    name: 'upstream_rate_limiter_rejected_total',
    help: 'Provider calls refused because the rate limiter queue was full.',
    labelNames: ['provider'] as const,
    registers,
  });

  const sharedCacheHits = new Counter({
    name: 'upstream_shared_cache_hits_total',
    help: 'Task lookups answered by the shared (Redis) cache: another replica asked the provider.',
    labelNames: ['provider'] as const,
    registers,
  });
  const sharedInFlight = new Counter({
    name: 'upstream_shared_in_flight_total',
    help: "Task lookups that waited for another replica's provider call instead of making their own.",
    labelNames: ['provider'] as const,
    registers,
  });
  // Created only in shared mode, so a single process exposes no Redis series at all.
  let redisUpGauge: Gauge | undefined;
  let redisDegradedGauge: Gauge | undefined;
  let redisFallbacks: Counter | undefined;
  let redisValuesDropped: Counter<'provider' | 'reason'> | undefined;
  const redisSeries = (): { up: Gauge; degraded: Gauge; fallbacks: Counter; dropped: Counter<'provider' | 'reason'> } => {
    redisUpGauge ??= new Gauge({ name: 'redis_up', help: 'Shared mode: 1 while Redis takes every command, 0 while it refuses writes or does not answer.', registers });
    redisDegradedGauge ??= new Gauge({
      name: 'redis_degraded',
      help: 'Shared mode: 1 while Redis answers but refuses writes (maxmemory, read-only): shared answers are read, nothing is stored, the quota falls back to each replica\'s share.',
      registers,
    });
    redisFallbacks ??= new Counter({ name: 'redis_fallbacks_total', help: 'Shared mode: Redis commands not run or failed, answered by in-process behaviour instead.', registers });
    redisValuesDropped ??= new Counter({
      name: 'redis_values_dropped_total',
      help: 'Shared mode: entries read from Redis and not used, by reason (undecodable, shape, signature); each lookup then asked the provider.',
      labelNames: ['provider', 'reason'] as const,
      registers,
    });
    return { up: redisUpGauge, degraded: redisDegradedGauge, fallbacks: redisFallbacks, dropped: redisValuesDropped };
  };
  const subscriptionReaders = new Map<ProviderName, () => { readonly pollers: number; readonly subscribers: number }>();
  new Gauge({
    name: 'subscriptions_active',
    help: 'Subscriptions open now (WebSocket and HTTP callback), by provider of the task watched.',
    labelNames: ['provider'] as const,
    registers,
    collect() {
      for (const [provider, read] of subscriptionReaders) this.set({ provider }, read().subscribers);
    },
  });
  new Gauge({
    name: 'subscription_pollers_active',
    help: 'Tasks polled now on behalf of subscribers: one poller per task, however many subscribers.',
    labelNames: ['provider'] as const,
    registers,
    collect() {
      for (const [provider, read] of subscriptionReaders) this.set({ provider }, read().pollers);
    },
  });
  const subscriptionPolls = new Counter({
    name: 'subscription_polls_total',
    help: 'Polls made by subscription pollers, by outcome (changed, unchanged, transient_error, fatal_error).',
    labelNames: ['provider', 'outcome'] as const,
    registers,
  });
  const subscriptionEvents = new Counter({
    name: 'subscription_events_sent_total',
    help: 'Events handed to subscribers, one per subscriber: task states (task) and errors that ended a subscription (error).',
    labelNames: ['provider', 'kind'] as const,
    registers,
  });

  function operationLabel(name: string | null, refused: boolean): string {
    if (refused) return '(refused)';
    if (name === null || name === '') return '(anonymous)';
    if (!GRAPHQL_NAME.test(name)) return '(invalid)';
    if (operationNames.has(name)) return name;
    if (operationNames.size >= maxOperationNames) return '(other)';
    operationNames.add(name);
    return name;
  }

  return {
    registry,
    graphqlRequest(sample) {
      const operation = operationLabel(sample.operationName, sample.refused);
      graphqlRequests.inc({ operation, outcome: sample.outcome });
      graphqlDuration.observe({ operation }, sample.durationMs / 1000);
      for (const code of sample.errorCodes) graphqlErrors.inc({ code: GRAPHQL_NAME.test(code) ? code : '(invalid)' });
    },
    httpRefused: (reason) => httpRefusals.inc({ reason }),
    upstreamCall(provider, outcome, durationMs) {
      const action = ACTION_BY_PROVIDER[provider];
      upstreamRequests.inc({ provider, action, outcome });
      upstreamDuration.observe({ provider, action }, durationMs / 1000);
    },
    cacheHit: (provider) => cacheHits.inc({ provider }),
    cacheMiss: (provider) => cacheMisses.inc({ provider }),
    inFlightShared: (provider) => inFlightShared.inc({ provider }),
    retry: (provider) => retries.inc({ provider, action: ACTION_BY_PROVIDER[provider] }),
    deadlineExceeded: (provider) => deadlines.inc({ provider }),
    rateLimitWait(provider, waitedMs, queueLength) {
      rateLimitWait.observe({ provider }, waitedMs / 1000);
      rateLimitQueue.set({ provider }, queueLength);
    },
    rateLimitRejected(provider, queueLength) {
      rateLimitRejected.inc({ provider });
      rateLimitQueue.set({ provider }, queueLength);
    },
    watchRateLimitQueue(provider, queueLength) {
      queueReaders.set(provider, queueLength);
    },
    watchTaskCache(provider, size) {
      taskCacheReaders.set(provider, size);
    },
    edgeCacheHit: () => edgeCacheHits.inc(),
    sharedCacheHit: (provider) => sharedCacheHits.inc({ provider }),
    sharedInFlight: (provider) => sharedInFlight.inc({ provider }),
    redisState(state) {
      const series = redisSeries();
      series.up.set(state === 'up' ? 1 : 0);
      series.degraded.set(state === 'degraded' ? 1 : 0);
    },
    redisValueDropped: (provider, reason) => redisSeries().dropped.inc({ provider, reason }),
    redisFallback: () => redisSeries().fallbacks.inc(),
    watchEdgeCache(size) {
      edgeCacheSize = size;
    },
    subscriptionPoll: (provider, outcome) => subscriptionPolls.inc({ provider, outcome }),
    subscriptionEventSent: (provider, kind) => subscriptionEvents.inc({ provider, kind }),
    watchSubscriptions(provider, counts) {
      subscriptionReaders.set(provider, counts);
    },
  };
}

/** The UpstreamEvents subscriber of the app: every event goes to the metrics. */
export function upstreamSubscriber(metrics: Metrics): Partial<UpstreamEvents> {
  return {
    onUpstreamCall(provider, outcome, durationMs) {
      metrics.upstreamCall(provider, outcome, durationMs);
    },
    onCacheHit(provider) {
      metrics.cacheHit(provider);
    },
    onCacheMiss(provider) {
      metrics.cacheMiss(provider);
    },
    onInFlightShared(provider) {
      metrics.inFlightShared(provider);
    },
    onRetry(provider) {
      metrics.retry(provider);
    },
    onDeadlineExceeded(provider) {
      metrics.deadlineExceeded(provider);
    },
    onRateLimitWait(provider, waitedMs, queueLength) {
      metrics.rateLimitWait(provider, waitedMs, queueLength);
    },
    onRateLimitRejected(provider, queueLength) {
      metrics.rateLimitRejected(provider, queueLength);
    },
    onSharedCacheHit(provider) {
      metrics.sharedCacheHit(provider);
    },
    onSharedInFlight(provider) {
      metrics.sharedInFlight(provider);
    },
  };
}

/** Several subscribers as one: each hook calls every subscriber that has it, in order; one that throws does not stop the rest. */
export function combineUpstreamSubscribers(...subscribers: ReadonlyArray<Partial<UpstreamEvents> | undefined>): Partial<UpstreamEvents> {
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
