/**
 * Every environment variable the subgraph reads, declared once: loadConfig reads this table, and
 * `npm run docs` renders docs/configuration.md and .env.example from it. Adding a variable is one
 * entry here and one field where loadConfig (index.ts) places its value.
 */
import {
  bool,
  derived,
  fraction,
  hostOrUrl,
  httpUrl,
  int,
  keyHalf,
  matching,
  oneOf,
  onOff,
  origin,
  redisUrl,
  secret,
  text,
  together,
  token,
  urlList,
} from './kinds.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** What a request may still need after its deadline: formatting and writing the answer, its log line. */
const SHUTDOWN_GRACE_MARGIN_MS = 5_000;

/** `^[a-z0-9-]+$`: region ids end up in hostnames and headers. */
const REGION = /^[a-z0-9-]+$/;

const MIB = 1024 * 1024;

const TKE_GROUP = ['TKE_REGION', 'TKE_PROVIDER_ID', 'TKE_WEB_IDENTITY_TOKEN_FILE', 'TKE_ROLE_ARN'];
const RRSA_GROUP = ['ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE'];

export const VARIABLES = {
  TENCENTCLOUD_SECRET_ID: keyHalf({
    section: 'tencent',
    description:
      'MPS key id; without the pair MPS is emulated, or with `EMULATOR` off answers `PROVIDER_NOT_CONFIGURED`.',
    pairedWith: 'TENCENTCLOUD_SECRET_KEY',
    unset: 'unset',
  }),
  TENCENTCLOUD_SECRET_KEY: keyHalf({
    section: 'tencent',
    description: 'MPS key secret.',
    pairedWith: 'TENCENTCLOUD_SECRET_ID',
    unset: 'unset',
  }),
  TENCENTCLOUD_SESSION_TOKEN: token({
    section: 'tencent',
    // The official SDK's env provider says SESSION_TOKEN; Terraform says SECURITY_TOKEN.
    description:
      'Temporary (STS / CAM role) credentials only, sent as `X-TC-Token`; `TENCENTCLOUD_SECURITY_TOKEN` is read when it is unset.',
    of: ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY'],
    aliases: ['TENCENTCLOUD_SECURITY_TOKEN'],
  }),
  MPS_ENDPOINT: origin({
    section: 'tencent',
    // The DescribeImageTaskDetail page this subgraph follows (international site) names this domain.
    description:
      'Origin of the MPS API; China-site accounts use `https://mps.tencentcloudapi.com`, `https://mps.<region>.tencentcloudapi.com` pins a region.',
    default: 'https://mps.intl.tencentcloudapi.com',
  }),
  MPS_REGION: matching({
    section: 'tencent',
    description: 'Sent as `X-TC-Region` when set.',
    pattern: REGION,
    unset: 'unset',
  }),
  // The variables TKE's workload identity injects (docs/credentials.md); all four or none.
  TKE_REGION: together({ section: 'tencent', description: 'TKE workload identity: the STS region.', group: TKE_GROUP }),
  TKE_PROVIDER_ID: together({
    section: 'tencent',
    description: 'TKE workload identity: the OIDC identity provider.',
    group: TKE_GROUP,
  }),
  TKE_WEB_IDENTITY_TOKEN_FILE: together({
    section: 'tencent',
    description: "TKE workload identity: the pod's token file, read again at every refresh.",
    group: TKE_GROUP,
  }),
  TKE_ROLE_ARN: together({
    section: 'tencent',
    description: 'TKE workload identity: the CAM role to assume.',
    group: TKE_GROUP,
  }),
  TENCENTCLOUD_STS_ENDPOINT: hostOrUrl({
    section: 'tencent',
    description: 'STS for TKE workload identity: a host (https) or a full URL.',
    unset: '`sts.tencentcloudapi.com`',
  }),
  TENCENTCLOUD_CREDENTIALS_FILE: text({
    section: 'tencent',
    description: 'A credentials file (`[default]` `secret_id`, `secret_key`, `token`), read again every minute.',
    unset: '`~/.tencentcloud/credentials`, then `/etc/tencentcloud/credentials`, when one exists',
  }),
  TENCENTCLOUD_CVM_ROLE: text({
    section: 'tencent',
    description: 'The CVM instance role to read from instance metadata, or `auto`; unset, metadata is never read.',
    unset: 'unset',
  }),
  TENCENTCLOUD_METADATA_ORIGIN: origin({
    section: 'tencent',
    description: 'Origin of the CVM metadata service (for a proxy or a test).',
    default: 'http://metadata.tencentyun.com',
  }),

  ALIBABA_CLOUD_ACCESS_KEY_ID: keyHalf({
    section: 'alibaba',
    description:
      'ICE key id; without the pair ICE is emulated, or with `EMULATOR` off answers `PROVIDER_NOT_CONFIGURED`.',
    pairedWith: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    unset: 'unset',
  }),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: keyHalf({
    section: 'alibaba',
    description: 'ICE key secret.',
    pairedWith: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    unset: 'unset',
  }),
  ALIBABA_CLOUD_SECURITY_TOKEN: token({
    section: 'alibaba',
    description: 'STS credentials only, sent as `x-acs-security-token`.',
    of: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
  }),
  // The variables ACK's RRSA webhook injects (docs/credentials.md); all three or none.
  ALIBABA_CLOUD_ROLE_ARN: together({
    section: 'alibaba',
    description: 'ACK RRSA: the RAM role to assume.',
    group: RRSA_GROUP,
  }),
  ALIBABA_CLOUD_OIDC_PROVIDER_ARN: together({
    section: 'alibaba',
    description: 'ACK RRSA: the OIDC identity provider.',
    group: RRSA_GROUP,
  }),
  ALIBABA_CLOUD_OIDC_TOKEN_FILE: together({
    section: 'alibaba',
    description: "ACK RRSA: the pod's OIDC token file, read again at every refresh.",
    group: RRSA_GROUP,
  }),
  ALIBABA_CLOUD_STS_ENDPOINT: hostOrUrl({
    section: 'alibaba',
    description: 'STS for RRSA (ACK injects it): a host (https) or a full URL.',
    unset: '`sts.aliyuncs.com`',
  }),
  ALIBABA_CLOUD_CREDENTIALS_URI: httpUrl({
    section: 'alibaba',
    description:
      'A URL answering `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}` (a sidecar, an agent).',
    unset: 'unset',
  }),
  ALIBABA_CLOUD_CREDENTIALS_FILE: text({
    section: 'alibaba',
    description: 'A credentials file (`type = access_key` or `sts`), read again every minute.',
    unset: '`~/.alibabacloud/credentials` when it exists',
  }),
  ALIBABA_CLOUD_PROFILE: text({
    section: 'alibaba',
    description: 'The profile of the credentials file.',
    default: 'default',
  }),
  ALIBABA_CLOUD_ECS_METADATA: text({
    section: 'alibaba',
    description: 'The ECS RAM role to read from instance metadata, or `auto`; unset, metadata is never read.',
    unset: 'unset',
  }),
  ALIBABA_CLOUD_ECS_METADATA_ORIGIN: origin({
    section: 'alibaba',
    description: 'Origin of the ECS metadata service (for a proxy or a test).',
    default: 'http://100.100.100.200',
  }),
  ALIBABA_CLOUD_IMDSV1_DISABLED: bool({
    section: 'alibaba',
    description: 'Fail rather than read ECS metadata without an IMDSv2 token.',
    default: false,
  }),
  ICE_REGION: matching({ section: 'alibaba', description: 'ICE region.', pattern: REGION, default: 'cn-shanghai' }),
  ICE_ENDPOINT: origin({
    section: 'alibaba',
    description: 'Origin of the ICE API.',
    default: derived(
      'ICE_REGION',
      '`https://ice.<ICE_REGION>.aliyuncs.com`',
      (region: string) => `https://ice.${region}.aliyuncs.com`,
    ),
  }),

  PORT: int({
    section: 'process',
    description: 'Port to listen on; 0 picks a free one.',
    default: 4001,
    min: 0,
    max: 65_535,
  }),
  HOST: text({
    section: 'process',
    description: 'Interface to listen on; `0.0.0.0` or `::` for all interfaces.',
    // A laptop's `npm start` stays on loopback; a production container is reached from outside.
    derived: derived('NODE_ENV', '`127.0.0.1`, but all interfaces with `NODE_ENV=production`', (nodeEnv: string) =>
      nodeEnv === 'production' ? undefined : '127.0.0.1',
    ),
  }),
  NODE_ENV: text({
    section: 'process',
    description:
      '`production` turns Sandbox, introspection, the dashboard and the emulator off; `development` adds stack traces to errors.',
    default: '',
  }),
  LOG_LEVEL: oneOf({
    section: 'process',
    description: 'Least severe log level written.',
    values: LOG_LEVELS,
    default: 'info',
  }),

  EXPOSE_SCHEMA: bool({
    section: 'exposure',
    description: 'Sandbox (GET / in a browser) and introspection.',
    default: derived('NODE_ENV', 'true unless `NODE_ENV=production`', (nodeEnv: string) => nodeEnv !== 'production'),
  }),
  DASHBOARD: onOff({
    section: 'exposure',
    description: 'The task dashboard at `/dashboard`; `on` serves it in production too.',
    default: derived('EXPOSE_SCHEMA', 'follows `EXPOSE_SCHEMA`', (exposeSchema: boolean) => exposeSchema),
  }),
  EMULATOR: onOff({
    section: 'exposure',
    description:
      '`on`: the built-in emulator answers for a provider without credentials; `off`: such a provider answers `PROVIDER_NOT_CONFIGURED`.',
    default: derived(
      'NODE_ENV',
      '`on`, but `off` with `NODE_ENV=production`',
      (nodeEnv: string) => nodeEnv !== 'production',
    ),
  }),

  UPSTREAM_TIMEOUT_MS: int({
    section: 'upstream',
    description: 'Timeout of one provider call.',
    default: 10_000,
    min: 1,
  }),
  UPSTREAM_CONCURRENCY: int({
    section: 'upstream',
    description: 'Provider calls in flight at once per loader in one request.',
    default: 16,
    min: 1,
  }),
  UPSTREAM_MAX_BATCH_SIZE: int({ section: 'upstream', description: 'Ids per DataLoader batch.', default: 100, min: 1 }),
  UPSTREAM_MAX_ATTEMPTS: int({
    section: 'upstream',
    description:
      'Attempts per provider call, the first included; only throttling, 5xx, network errors and timeouts are retried.',
    default: 3,
    min: 1,
    max: 10,
  }),
  UPSTREAM_RETRY_BASE_DELAY_MS: int({
    section: 'upstream',
    description: 'Base of the exponential backoff (full jitter) between attempts.',
    default: 100,
    min: 1,
  }),
  UPSTREAM_RETRY_MAX_DELAY_MS: int({
    section: 'upstream',
    description: "Cap of the backoff between attempts; a provider's `Retry-After` is always waited out.",
    default: 2_000,
    min: 1,
    atLeast: { variable: 'UPSTREAM_RETRY_BASE_DELAY_MS' },
  }),
  REQUEST_DEADLINE_MS: int({
    section: 'upstream',
    description:
      'What one GraphQL request may spend on provider calls, retries and waits included; no wait or attempt runs past it.',
    default: 15_000,
    min: 1,
  }),
  // MPS documents 20 requests/second for DescribeImageTaskDetail.
  MPS_RATE_LIMIT_RPS: int({
    section: 'upstream',
    description:
      'MPS calls per second in any one-second window: per process, or for all replicas together with `REDIS_URL`.',
    default: 20,
    min: 1,
  }),
  ICE_RATE_LIMIT_RPS: int({
    section: 'upstream',
    description: 'ICE calls per second, as `MPS_RATE_LIMIT_RPS`.',
    default: 20,
    min: 1,
  }),
  RATE_LIMIT_MAX_QUEUE: int({
    section: 'upstream',
    description:
      'Calls that may wait for the rate limit per provider, shared fairly between requests; beyond it a call fails with `RATE_LIMITED`.',
    default: 1_000,
    min: 0,
  }),
  RATE_LIMIT_RESERVED_SHARE: fraction({
    section: 'upstream',
    description:
      "Share of each provider's budget kept for each background class (a subscription's first read, refresh polls; at least one call a second each): queries go first, background work never starves.",
    default: 0.05,
  }),
  RATE_LIMIT_MARGIN_MS: int({
    section: 'upstream',
    description:
      "Added to the one-second window, so send delays differing by up to this much cannot put more than the budget into one of the provider's seconds.",
    default: 100,
    min: 0,
    max: 10_000,
  }),

  CACHE_TERMINAL_TTL_MS: int({
    section: 'caches',
    description: 'How long a finished task is reused; also its Cache-Control max-age.',
    default: 600_000,
    min: 0,
  }),
  CACHE_RUNNING_TTL_MS: int({
    section: 'caches',
    description:
      "How long a waiting or running task is reused; also its max-age, and a subscription's poll interval for a running task (at least 250 ms).",
    default: 2_000,
    min: 0,
  }),
  CACHE_NOT_FOUND_TTL_MS: int({
    section: 'caches',
    description: 'How long a `NOT_FOUND` answer is reused (other errors never are).',
    default: 2_000,
    min: 0,
  }),
  CACHE_MAX_ENTRIES: int({
    section: 'caches',
    description: 'Tasks kept in the process-wide cache, least recently used out first; 0 turns the cache off.',
    default: 10_000,
    min: 0,
  }),
  // 10,000 small tasks take about 4 MiB by the estimate, so the count binds first for them; a few
  // hundred workflow tasks with long graphs reach the bytes first.
  CACHE_MAX_BYTES: int({
    section: 'caches',
    description:
      "Estimated heap the process-wide cache's tasks may keep, beside `CACHE_MAX_ENTRIES`; a task over an eighth of it is not kept; 0 turns the cache off.",
    default: 64 * MIB,
    min: 0,
  }),
  RESPONSE_CACHE_MAX_BYTES: int({
    section: 'caches',
    description:
      "Bytes of whole cacheable responses kept by each response cache (the edge cache and Apollo's); 0 turns both off.",
    default: 2 * MIB,
    min: 0,
  }),
  // Apollo's default is 30 MiB by its measure (about 120 MiB of heap); distinct documents are cheap
  // to send, so the bound is smaller here, still thousands of the documents real clients send.
  DOCUMENT_CACHE_MAX_BYTES: int({
    section: 'caches',
    description:
      "Apollo's cache of parsed and validated documents, in its own measure (each document's JSON length, about a quarter of its heap); 0 turns it off.",
    default: 8 * MIB,
    min: 0,
  }),

  REDIS_URL: redisUrl({
    section: 'redis',
    description:
      'Shared mode: replicas share the provider quota, the task cache and in-flight calls through this Redis; never logged.',
    unset: 'unset: no Redis client is loaded',
  }),
  REDIS_KEY_PREFIX: matching({
    section: 'redis',
    description: 'Namespaces every key and channel, so several deployments can share one Redis.',
    pattern: /^[A-Za-z0-9:_.-]{1,64}$/,
    default: 'media-task-subgraph:',
  }),
  REDIS_COMMAND_TIMEOUT_MS: int({
    section: 'redis',
    description: 'Longest one Redis command may take before that lookup falls back to in-process behaviour.',
    default: 250,
    min: 10,
    max: 10_000,
  }),
  REDIS_FALLBACK_RPS_SHARE: fraction({
    section: 'redis',
    description:
      "Share of each provider's budget one replica uses while Redis is unavailable (at most 1/N for N replicas).",
    default: 0.5,
  }),
  REDIS_LEASE_MS: int({
    section: 'redis',
    description: "How long a replica's claim on a task's provider call lasts unrenewed (renewed while the call runs).",
    default: 3_000,
    min: 100,
    max: 600_000,
  }),
  // A Redis others can write to could otherwise hand clients a rewritten answer (a signedUrl pointed elsewhere).
  REDIS_VALUE_KEY: secret({
    section: 'redis',
    description:
      'Key of an HMAC-SHA256 over every answer stored in Redis: an entry without the right one (rewritten, or copied from another task) is refused. Set it, the same on every replica, when other services can write to this Redis; never logged.',
    minLength: 32,
    unset: 'unset: answers are stored unsigned (still checked against the task model)',
  }),

  // The two standard OpenTelemetry variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl({
    section: 'tracing',
    description:
      'OTLP/HTTP collector base URL (spans go to `<it>/v1/traces`, e.g. `http://otel-collector:4318`); may carry credentials, never logged.',
    unset: 'unset: no OpenTelemetry SDK is loaded and no span is made',
  }),
  OTEL_SERVICE_NAME: matching({
    section: 'tracing',
    description: "The traces' `service.name`.",
    pattern: /^[\x21-\x7e]{1,128}$/,
    default: 'media-task-subgraph',
  }),

  // A queued task can wait minutes; polling it at the running rate would spend budget on "still waiting".
  SUBSCRIPTION_WAITING_INTERVAL_MS: int({
    section: 'subscriptions',
    description:
      "How often a subscription's poller asks for a task that is waiting or in an unknown state (a running one: `CACHE_RUNNING_TTL_MS`).",
    default: 10_000,
    min: 100,
  }),
  // An hour outlasts any image task and most workflow runs; a client that still cares subscribes again.
  SUBSCRIPTION_MAX_DURATION_MS: int({
    section: 'subscriptions',
    description: 'A subscription ends with `SUBSCRIPTION_EXPIRED` this long after it started, terminal state or not.',
    default: 3_600_000,
    min: 1_000,
  }),
  SUBSCRIPTION_MAX_PER_CONNECTION: int({
    section: 'subscriptions',
    description: 'Operations in progress on one WebSocket connection; one more is refused with `SUBSCRIPTION_LIMIT`.',
    default: 100,
    min: 1,
  }),
  // Each watched task costs one provider call per interval, so the rate budget, not this bound, slows polls first.
  SUBSCRIPTION_MAX_WATCHED_TASKS: int({
    section: 'subscriptions',
    description:
      'Distinct tasks this process polls at once, both providers together; a subscription to one more is refused with `SUBSCRIPTION_LIMIT`.',
    default: 1_000,
    min: 1,
  }),
  SUBSCRIPTION_MAX_WATCHED_TASKS_PER_CLIENT: int({
    section: 'subscriptions',
    description:
      'Distinct tasks one client (a WebSocket connection, a callback subscription) may watch at once; one more is refused with `SUBSCRIPTION_LIMIT`.',
    default: 100,
    min: 1,
  }),
  SUBSCRIPTION_INIT_TIMEOUT_MS: int({
    section: 'subscriptions',
    description: 'How long a WebSocket may stay open without `connection_init`; then it is closed with 4408.',
    default: 10_000,
    min: 100,
  }),

  // About 17 KB of heap each (docs/RELIABILITY.md): 5,000 stay under 100 MB.
  SUBSCRIPTION_MAX_ACTIVE: int({
    section: 'subscriptions',
    description:
      'Subscriptions open at once in this process, WebSocket and callback together; one more is refused with `SUBSCRIPTION_LIMIT`.',
    default: 5_000,
    min: 1,
  }),
  SUBSCRIPTION_CALLBACK_URLS: urlList({
    section: 'subscriptions',
    description:
      "The router's callback protocol, only for a `callbackUrl` under one of these prefixes (typically the router's `public_url` and `path`); any other is refused with `CALLBACK_NOT_ALLOWED` and nothing is sent to it.",
    shape: 'prefix',
    unset: 'unset: the callback protocol is off',
  }),
  // The router answers a check at once; a receiver that takes longer is treated as gone.
  SUBSCRIPTION_CALLBACK_TIMEOUT_MS: int({
    section: 'subscriptions',
    description: 'Timeout of one callback request (`check`, `next`, `complete`); redirects are never followed.',
    default: 5_000,
    min: 100,
    max: 60_000,
  }),
  WEBSOCKET_MAX_CONNECTIONS: int({
    section: 'subscriptions',
    description: 'WebSocket connections open at once in this process; one more upgrade is answered 503.',
    default: 1_000,
    min: 1,
  }),
  WEBSOCKET_MAX_BUFFERED_BYTES: int({
    section: 'subscriptions',
    description:
      'Output a WebSocket client may leave unread: past it, the socket starts no operation until the client has read (a ping answered behind the output), and one whose unsent output passes it when a message is due is closed with 1008.',
    default: MIB,
    min: 1024,
  }),
  // Below graphql-ws's keep-alive (a missing pong cuts the socket at 12 to 24 s), so a client that
  // does not read is closed here, logged and counted, rather than cut there unseen.
  WEBSOCKET_READ_TIMEOUT_MS: int({
    section: 'subscriptions',
    description:
      'How long a WebSocket client past `WEBSOCKET_MAX_BUFFERED_BYTES` of unread output has to read it before it is closed with 1008 (a client that does not read).',
    default: 10_000,
    min: 100,
    max: 11_000,
  }),

  MAX_TASK_IDS: int({ section: 'limits', description: 'Most ids in one list query.', default: 100, min: 1 }),
  // The router batches a few dozen representations per fetch; 500 leaves it ample room.
  MAX_ENTITY_REPRESENTATIONS: int({
    section: 'limits',
    description: 'Most representations in one `_entities` query.',
    default: 500,
    min: 1,
  }),
  // Express's own default; 100 ids with a query fit in a few KB.
  BODY_LIMIT_BYTES: int({
    section: 'limits',
    description: 'Largest request body; a larger one is answered 413.',
    default: 100 * 1024,
    min: 1,
  }),
  MAX_QUERY_DEPTH: int({
    section: 'limits',
    description:
      'Deepest field nesting in an operation, fragments flattened; the deepest real query is 7 (`workflowTask.workflow.graph.layout.edges.points.x`).',
    default: 12,
    min: 1,
  }),
  MAX_QUERY_ALIASES: int({
    section: 'limits',
    description: 'Aliased fields in an operation, `__typename` aliases included.',
    default: 15,
    min: 0,
  }),
  // A query for every field of both types is about 120 tokens; the introspection query about 190.
  MAX_QUERY_TOKENS: int({
    section: 'limits',
    description: 'Lexical tokens in a GraphQL document (a query for every field is about 120).',
    default: 2_000,
    min: 100,
  }),
  // A router batch of 500 ImageTask representations selecting every field and __typename costs
  // 12,000; the dashboard's query with 100 ids 500. 15 __typename aliases over the ~2,000
  // representations a 94 KB body holds cost 34,000.
  MAX_QUERY_COST: int({
    section: 'limits',
    description:
      'Fields selected, each counted once per element of the `taskIds` or `representations` list it is under, fragments flattened.',
    default: 20_000,
    min: 100,
  }),
  // `_entities` representations are 3 levels deep, a persisted-query extension 2; 8 leaves room for compound keys.
  MAX_INPUT_DEPTH: int({
    section: 'limits',
    description:
      'Deepest nesting of objects and arrays in `variables` or `extensions`, the top-level object counted; deeper is answered 400.',
    default: 8,
    min: 3,
    max: 1_000,
  }),
  // A router batch of 500 representations of one key field is about 1,500 values.
  MAX_INPUT_VALUES: int({
    section: 'limits',
    description: 'Values of any kind in `variables` or `extensions`; more is answered 400.',
    default: 10_000,
    min: 10,
  }),

  SUBGRAPH_SHARED_SECRET: secret({
    section: 'security',
    description:
      'When set, every request but `/health`, `/ready`, `/metrics` and the dashboard\'s files must carry it (set but empty is an error, not "no check").',
    minLength: 16,
    unset: 'unset: no check',
  }),
  SUBGRAPH_SHARED_SECRET_HEADER: matching({
    section: 'security',
    // What proxies pass through untouched, and what log redaction paths can name.
    description: 'The header that carries `SUBGRAPH_SHARED_SECRET` (lower case).',
    pattern: /^[a-z0-9-]+$/,
    default: 'router-authorization',
  }),

  WEBSOCKET_ALLOWED_ORIGINS: urlList({
    section: 'security',
    description:
      "Browser origins (the `Origin` header) allowed besides the subgraph's own, for WebSocket upgrades and HTTP requests alike; a request without `Origin` (the router, server-side clients) is not affected.",
    shape: 'origin',
    unset: "unset: only the subgraph's own origin",
  }),
  HTTP_REQUEST_TIMEOUT_MS: int({
    section: 'security',
    description:
      'Time a client has to send a whole request, headers and body; a slower one is answered 408 and its connection closed.',
    default: derived('REQUEST_DEADLINE_MS', 'follows `REQUEST_DEADLINE_MS`', (deadlineMs: number) => deadlineMs),
    min: 1_000,
  }),
  HTTP_MAX_CONNECTIONS: int({
    section: 'security',
    description: 'TCP connections open at once (WebSockets included); one more is closed as it arrives.',
    default: 4_096,
    min: 1,
  }),

  SHUTDOWN_DELAY_MS: int({
    section: 'shutdown',
    description:
      'On SIGTERM, how long `/ready` answers 503 while requests are still served, before the listener closes.',
    default: 0,
    min: 0,
    max: 600_000,
  }),
  SHUTDOWN_GRACE_MS: int({
    section: 'shutdown',
    description:
      'Once the listener is closed, how long in-flight requests may still take before their connections are cut.',
    default: derived(
      'REQUEST_DEADLINE_MS',
      `\`REQUEST_DEADLINE_MS\` + ${SHUTDOWN_GRACE_MARGIN_MS}`,
      (deadlineMs: number) => deadlineMs + SHUTDOWN_GRACE_MARGIN_MS,
    ),
    min: 1,
    atLeast: { variable: 'REQUEST_DEADLINE_MS', why: 'a shorter drain cuts requests still within their deadline' },
  }),
} as const;

export type VariableName = keyof typeof VARIABLES;
