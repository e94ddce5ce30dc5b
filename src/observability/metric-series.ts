/**
 * Every Prometheus series of the app, declared once: the registry is built from this
 * table (metric-registry.ts) and so is the metrics table of docs/observability.md
 * (metric-docs.ts, `npm run docs:metrics`). Order is registration order, hence /metrics order.
 */

export type SeriesType = 'counter' | 'gauge' | 'histogram';

export interface SeriesSpec {
  readonly name: string;
  readonly type: SeriesType;
  /** The `# HELP` line. */
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
  /** `shared`: registered at the first Redis report, so a single process exposes no Redis series at all. */
  readonly registered?: 'shared';
  /** The reference text of docs/observability.md, when it has more to say than `help`. */
  readonly doc?: string;
}

export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export const METRIC_SERIES = {
  graphqlRequests: {
    name: 'graphql_requests_total',
    type: 'counter',
    help: 'GraphQL requests by operation name and outcome (ok, partial, failed).',
    labels: ['operation', 'outcome'],
    doc:
      'GraphQL requests; `operation` is the operation name, `(anonymous)`, `(invalid)`, or `(other)` past 200 distinct names; only operations that ' +
      'parsed, validated and passed every limit are labelled by name, every refused request (parse or validation error, unknown `operationName`, ' +
      'a limit, a bad persisted query) counts as `(refused)`, so invented names cannot use up the 200; `outcome` is `ok`, `partial` (data and errors) or `failed`.',
  },
  graphqlDuration: {
    name: 'graphql_request_duration_seconds',
    type: 'histogram',
    help: 'Time from receiving a GraphQL request to sending its response.',
    labels: ['operation'],
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  graphqlErrors: {
    name: 'graphql_errors_total',
    type: 'counter',
    help: 'Errors in GraphQL responses by extensions.code.',
    labels: ['code'],
    doc: 'Errors in responses by `extensions.code`.',
  },
  httpRefusals: {
    name: 'http_requests_refused_total',
    type: 'counter',
    help: 'Requests and connections refused before GraphQL execution, by reason (unauthenticated, origin_not_allowed, body_too_large, callback_not_allowed, websocket_slow_reader, connection_limit, ...).',
    labels: ['reason'],
    doc:
      'Requests refused before GraphQL execution, by `reason`: `unauthenticated` (WebSocket connections without the secret included), ' +
      '`body_too_large`, `bad_request_body`, `input_too_deep` (`MAX_INPUT_DEPTH`), ' +
      "`input_too_large` (`MAX_INPUT_VALUES`), and what Node's HTTP parser refuses before Express runs: `headers_too_large` (431: headers over Node's 16 KB, " +
      "usually a long GET query string), `bad_http_request` (400), `request_timeout` (408, `HTTP_REQUEST_TIMEOUT_MS`); these are answered in GraphQL's error shape too. " +
      "Browsers and connections: `origin_not_allowed` (an `Origin` that is neither the subgraph's own nor in `WEBSOCKET_ALLOWED_ORIGINS`), " +
      '`websocket_connection_limit` (`WEBSOCKET_MAX_CONNECTIONS`), `websocket_slow_reader` (a socket closed 1008: its client left more than `WEBSOCKET_MAX_BUFFERED_BYTES` unread for `WEBSOCKET_READ_TIMEOUT_MS`, or that much unsent), ' +
      '`connection_limit` (`HTTP_MAX_CONNECTIONS`). The router callback protocol: `callback_not_allowed` (off, or outside `SUBSCRIPTION_CALLBACK_URLS`), ' +
      '`bad_callback_extension`, `callback_check_failed` (the callback URL did not accept `check`), `subscription_limit` (`SUBSCRIPTION_MAX_ACTIVE`).',
  },
  upstreamRequests: {
    name: 'upstream_requests_total',
    type: 'counter',
    help: 'Provider calls (each attempt) by provider, action and outcome (OK or the failure kind).',
    labels: ['provider', 'action', 'outcome'],
    doc: 'Provider calls, each attempt; `outcome` is `OK` or the failure kind (`NOT_FOUND`, `RATE_LIMITED`, …).',
  },
  upstreamDuration: {
    name: 'upstream_request_duration_seconds',
    type: 'histogram',
    help: 'Duration of one provider call (one attempt, including parsing), after the rate limiter let it go.',
    labels: ['provider', 'action'],
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  upstreamRetries: {
    name: 'upstream_retries_total',
    type: 'counter',
    help: 'Provider call attempts that were retries.',
    labels: ['provider', 'action'],
  },
  upstreamDeadlines: {
    name: 'upstream_deadline_exceeded_total',
    type: 'counter',
    help: 'Task lookups ended by the request deadline.',
    labels: ['provider'],
    doc: 'Task lookups ended by `REQUEST_DEADLINE_MS`.',
  },
  cacheHits: {
    name: 'upstream_cache_hits_total',
    type: 'counter',
    help: 'Task lookups answered from the cache.',
    labels: ['provider'],
    doc: 'Task lookups answered from the process-wide cache.',
  },
  cacheMisses: {
    name: 'upstream_cache_misses_total',
    type: 'counter',
    help: 'Task lookups the cache could not answer.',
    labels: ['provider'],
    doc: 'Task lookups the process-wide cache could not answer.',
  },
  inFlightShared: {
    name: 'upstream_in_flight_shared_total',
    type: 'counter',
    help: 'Task lookups that joined a provider call already in flight.',
    labels: ['provider'],
  },
  rateLimitQueue: {
    name: 'upstream_rate_limiter_queue_length',
    type: 'gauge',
    help: 'Provider calls waiting in the rate limiter queue.',
    labels: ['provider'],
    doc: 'Provider calls waiting for the rate limit, read at scrape time.',
  },
  taskCacheEntries: {
    name: 'task_cache_entries',
    type: 'gauge',
    help: 'Tasks held by the process-wide task cache (expired ones until they are read or pushed out).',
    labels: ['provider'],
    doc: 'Tasks held by the process-wide task cache, read at scrape time (expired tasks count until read or pushed out).',
  },
  taskCacheBytes: {
    name: 'task_cache_bytes',
    type: 'gauge',
    help: 'Estimated bytes held by the process-wide task cache, as counted against CACHE_MAX_BYTES.',
    labels: ['provider'],
    doc: 'Bytes held by the process-wide task cache, read at scrape time, as estimated and counted against `CACHE_MAX_BYTES`.',
  },
  edgeCacheHits: {
    name: 'edge_cache_hits_total',
    type: 'counter',
    help: 'Requests answered by the edge cache, before Express and Apollo.',
    labels: [],
    doc: 'Requests answered by the edge cache, before Express and Apollo (they count in `graphql_requests_total` too).',
  },
  edgeCacheEntries: {
    name: 'edge_cache_entries',
    type: 'gauge',
    help: 'Answers held by the edge cache.',
    labels: [],
    doc: 'Answers held by the edge cache, read at scrape time.',
  },
  edgeCacheBytes: {
    name: 'edge_cache_bytes',
    type: 'gauge',
    help: 'Bytes held by the edge cache, as counted against RESPONSE_CACHE_MAX_BYTES.',
    labels: [],
    doc: 'Bytes held by the edge cache, read at scrape time, as counted against `RESPONSE_CACHE_MAX_BYTES`.',
  },
  rateLimitWait: {
    name: 'upstream_rate_limiter_wait_seconds',
    type: 'histogram',
    help: 'Time a provider call waited in the rate limiter queue.',
    labels: ['provider'],
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  rateLimitRejected: {
    name: 'upstream_rate_limiter_rejected_total',
    type: 'counter',
    help: 'Provider calls refused because the rate limiter queue was full.',
    labels: ['provider'],
    doc: "Provider calls refused because the queue was full, or evicted from it to make room for another request's call.",
  },
  sharedCacheHits: {
    name: 'upstream_shared_cache_hits_total',
    type: 'counter',
    help: 'Task lookups answered by the shared (Redis) cache: another replica asked the provider.',
    labels: ['provider'],
    doc: "Shared mode: task lookups answered by Redis (another replica's answer).",
  },
  sharedInFlight: {
    name: 'upstream_shared_in_flight_total',
    type: 'counter',
    help: "Task lookups that waited for another replica's provider call instead of making their own.",
    labels: ['provider'],
    doc: "Shared mode: task lookups that waited for another replica's provider call instead of making their own.",
  },
  redisUp: {
    name: 'redis_up',
    type: 'gauge',
    help: 'Shared mode: 1 while Redis takes every command, 0 while it refuses writes (see redis_degraded) or does not answer.',
    labels: [],
    registered: 'shared',
  },
  redisDegraded: {
    name: 'redis_degraded',
    type: 'gauge',
    help: 'Shared mode: 1 while Redis answers but refuses writes (maxmemory reached, a read-only replica): stored answers are read, nothing is stored.',
    labels: [],
    registered: 'shared',
    doc:
      'Shared mode: 1 while Redis answers but refuses writes (maxmemory under `noeviction`, a read-only replica, a failed snapshot with ' +
      '`stop-writes-on-bgsave-error`): stored answers are still read, provider calls go without leases and nothing is stored, and the quota falls back ' +
      "to each replica's `REDIS_FALLBACK_RPS_SHARE`. `redis_up` is 0 meanwhile.",
  },
  redisValuesDropped: {
    name: 'redis_values_dropped_total',
    type: 'counter',
    help: 'Shared mode: entries read from Redis and not used, by reason (undecodable, shape, signature); each such lookup asked the provider.',
    labels: ['provider', 'reason'],
    registered: 'shared',
    doc:
      'Shared mode: entries read from Redis and not used: `undecodable` (not an entry this version writes), `shape` (a value that is not the ' +
      'task model), `signature` (with `REDIS_VALUE_KEY` set, a missing or wrong MAC). Each such lookup asked the provider instead. Any rise is worth a look: ' +
      'something other than this deployment writes under its keys.',
  },
  redisFallbacks: {
    name: 'redis_fallbacks_total',
    type: 'counter',
    help: 'Shared mode: Redis commands not run or failed, answered by in-process behaviour instead.',
    labels: [],
    registered: 'shared',
  },
  subscriptionsActive: {
    name: 'subscriptions_active',
    type: 'gauge',
    help: 'Subscriptions open now (WebSocket and HTTP callback), by provider of the task watched.',
    labels: ['provider'],
    doc: 'Subscriptions open now, WebSocket and HTTP callback, by the provider of the task watched; read at scrape time.',
  },
  subscriptionPollers: {
    name: 'subscription_pollers_active',
    type: 'gauge',
    help: 'Tasks polled now on behalf of subscribers: one poller per task, however many subscribers.',
    labels: ['provider'],
    doc: 'Tasks polled now on behalf of subscribers (one poller per task, however many subscribers); read at scrape time.',
  },
  subscriptionPolls: {
    name: 'subscription_polls_total',
    type: 'counter',
    help: 'Polls made by subscription pollers, by outcome (changed, unchanged, transient_error, fatal_error).',
    labels: ['provider', 'outcome'],
    doc:
      'Polls made by subscription pollers, by what they found: `changed`, `unchanged`, `transient_error` (retried at the next interval), ' +
      '`fatal_error` (ended the subscriptions).',
  },
  subscriptionEvents: {
    name: 'subscription_events_sent_total',
    type: 'counter',
    help: 'Events handed to subscribers, one per subscriber: task states (task) and errors that ended a subscription (error).',
    labels: ['provider', 'kind'],
    doc: 'Events handed to subscribers, one per subscriber: `task` (a state) or `error` (the error that ended it).',
  },
  quotaUsed: {
    name: 'upstream_quota_used_total',
    type: 'counter',
    help: 'Provider calls granted by the rate limiter, by priority class (interactive, first_read, refresh).',
    labels: ['provider', 'class'],
    doc:
      'Provider calls the rate limiter (or the shared quota) granted, by `class`: `interactive` (queries and `_entities`), `first_read` ' +
      "(a subscription's first poll), `refresh` (later polls of watched tasks); see docs/live-updates.md, Freshness under load.",
  },
  subscriptionRefreshInterval: {
    name: 'subscription_refresh_interval_seconds',
    type: 'gauge',
    help: 'Effective refresh interval of watched tasks: mean time between two reads of one task over the recent refreshes.',
    labels: ['provider'],
    doc:
      'What a dashboard user actually gets: the mean time between two reads of one watched task over the recent refreshes (0 before any). ' +
      'At the configured interval while the quota allows, otherwise about watched tasks / spare calls per second; read at scrape time.',
  },
  subscriptionBudgetRefusals: {
    name: 'subscription_client_budget_refusals_total',
    type: 'counter',
    help: 'Subscriptions refused because their client already watched the most tasks one client may.',
    labels: ['provider'],
    doc: 'Subscriptions refused with `SUBSCRIPTION_LIMIT` because their client (a WebSocket connection, a callback subscription) already watched `SUBSCRIPTION_MAX_WATCHED_TASKS_PER_CLIENT` tasks.',
  },
  credentialSource: {
    name: 'provider_credential_source',
    type: 'gauge',
    help: 'The credential source serving each provider (1 on its source label): env, rrsa-oidc, credentials-uri, credentials-file, ecs-ram-role, tke-oidc, cvm-role.',
    labels: ['provider', 'source'],
    doc:
      'The credential source chosen at start-up for each provider, `1` on its `source`: `env`, `rrsa-oidc`, `credentials-uri`, `credentials-file`, ' +
      '`ecs-ram-role`, `tke-oidc`, `cvm-role` ([credentials](credentials.md)); read at scrape time.',
  },
  credentialExpiry: {
    name: 'provider_credential_expiry_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time at which the credential held for each provider expires; absent for keys that do not expire.',
    labels: ['provider'],
    doc: 'Unix time at which the held temporary credential expires, read at scrape time; absent for keys that do not expire. Alert when it comes within minutes of `time()`: refreshes are failing.',
  },
  credentialRefreshes: {
    name: 'provider_credential_refreshes_total',
    type: 'counter',
    help: 'Credential fetches from the source, by provider, source and outcome (success, failure).',
    labels: ['provider', 'source', 'outcome'],
    doc: 'Credential fetches from the source (STS, a URI, a file, instance metadata), by `outcome`: `success` or `failure` (retried with backoff, never cached).',
  },
} as const satisfies Record<string, SeriesSpec>;

export type MetricSeries = typeof METRIC_SERIES;
export type SeriesId = keyof MetricSeries;
