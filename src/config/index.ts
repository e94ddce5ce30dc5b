/**
 * Environment -> validated, typed configuration: the only reader of process.env. Each variable is
 * declared once in variables.ts; loadConfig places the values in the AppConfig every module gets.
 */
import { EnvReader, type Env } from './env-reader.js';
import { literalDefault, type ReadContext, type ValueOf } from './kinds.js';
import { LOG_LEVELS, VARIABLES, type VariableName } from './variables.js';

export { ConfigError } from './env-reader.js';

export interface TencentCredentials {
  readonly secretId: string;
  readonly secretKey: string;
  /** Temporary (STS / CAM role) credentials only; sent as X-TC-Token. */
  readonly sessionToken?: string;
}

export interface AlibabaCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** STS credentials only; sent as x-acs-security-token. */
  readonly securityToken?: string;
}

export interface TencentConfig {
  /** null when not configured: the Tencent side of the graph then reports an error per task. */
  readonly credentials: TencentCredentials | null;
  /** Origin only (scheme://host[:port]); API 3.0 always posts to `/`. */
  readonly endpoint: string;
  /** Sent as X-TC-Region when set; DescribeImageTaskDetail ignores it. */
  readonly region?: string;
}

export interface AlibabaConfig {
  readonly credentials: AlibabaCredentials | null;
  /** Origin only (scheme://host[:port]). */
  readonly endpoint: string;
  readonly region: string;
}

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  readonly port: number;
  /** Interface to bind; undefined = all interfaces (what a container needs). */
  readonly host: string | undefined;
  readonly nodeEnv: string;
  readonly logLevel: LogLevel;
  /** Sandbox landing page and introspection. */
  readonly exposeSchema: boolean;
  /**
   * The task dashboard at /dashboard (static files; its GraphQL calls go through /graphql like
   * any client's). Follows exposeSchema unless DASHBOARD says otherwise.
   */
  readonly dashboard: boolean;
  /**
   * Whether the built-in emulator answers for a provider without credentials. Off, such a
   * provider's lookups fail with PROVIDER_NOT_CONFIGURED: production never serves invented tasks.
   */
  readonly emulator: boolean;
  readonly tencent: TencentConfig;
  readonly alibaba: AlibabaConfig;
  readonly upstream: {
    readonly timeoutMs: number;
    /** Provider calls in flight at once per loader. */
    readonly concurrency: number;
    /** Ids per DataLoader batch. */
    readonly maxBatchSize: number;
    /** Attempts per provider call, the first included; only retryable failures are retried. */
    readonly maxAttempts: number;
    /** Exponential backoff with full jitter: base and cap of the wait between attempts. */
    readonly retryBaseDelayMs: number;
    readonly retryMaxDelayMs: number;
    /** What one GraphQL request may spend on provider calls, waits and retries included. */
    readonly requestDeadlineMs: number;
    /** Provider calls per second in any one-second window, per provider; calls over it wait in a bounded queue. */
    readonly rateLimit: { readonly mpsRps: number; readonly iceRps: number; readonly maxQueue: number; readonly marginMs: number };
    /**
     * Process-wide cache of answers by task state, bounded by entries and by estimated bytes;
     * either bound at 0 turns it off, a TTL of 0 skips that kind.
     */
    readonly cache: {
      readonly terminalTtlMs: number;
      readonly runningTtlMs: number;
      readonly notFoundTtlMs: number;
      readonly maxEntries: number;
      readonly maxBytes: number;
    };
    /** Bytes of whole responses kept by each response cache (the edge cache and Apollo's); 0 turns both off. */
    readonly responseCacheMaxBytes: number;
  };
  readonly limits: {
    readonly maxTaskIds: number;
    /** Representations in one `_entities` query. */
    readonly maxEntityRepresentations: number;
    readonly bodyLimitBytes: number;
    /** Deepest selection nesting, fragments flattened. */
    readonly maxQueryDepth: number;
    /** Aliased fields per operation, `__typename` aliases included. */
    readonly maxQueryAliases: number;
    /** Lexical tokens per document. */
    readonly maxQueryTokens: number;
    /** Fields selected, each multiplied by the length of the taskIds / representations list it is under. */
    readonly maxQueryCost: number;
    /** Deepest nesting of objects and arrays in `variables` or in `extensions`, the top-level object counted. */
    readonly maxInputDepth: number;
    /** Values of any kind in `variables` or in `extensions`. */
    readonly maxInputValues: number;
  };
  readonly security: {
    /** When set, every request but the probes and /metrics must carry it in `sharedSecretHeader`. */
    readonly sharedSecret: string | null;
    /** Lower-case header name. */
    readonly sharedSecretHeader: string;
  };
  /**
   * Apollo's cache of parsed and validated documents, in Apollo's own measure (each document's
   * JSON length; its heap is about 4 times that); 0 turns it off.
   */
  readonly documentCacheMaxBytes: number;
  /**
   * Shared mode: the cache, the in-flight calls and the provider quota shared by every replica
   * through Redis. null: this process owns the whole quota (no Redis client is loaded).
   */
  readonly redis: RedisConfig | null;
  /** Live task updates (src/subscriptions/): poll intervals, lifetime and bounds. */
  readonly subscriptions: {
    /** Poll interval of a task that is waiting (or in an unknown state); a running one is polled every CACHE_RUNNING_TTL_MS. */
    readonly waitingIntervalMs: number;
    /** A subscription ends (SUBSCRIPTION_EXPIRED) this long after it started, terminal state or not. */
    readonly maxDurationMs: number;
    /** Operations in progress on one WebSocket connection. */
    readonly maxPerConnection: number;
    /** Distinct tasks polled at once by this process, both providers together. */
    readonly maxWatchedTasks: number;
    /** How long a WebSocket may stay open without `connection_init`. */
    readonly initTimeoutMs: number;
  };
  /** OpenTelemetry traces over OTLP/HTTP; null (no OTEL_EXPORTER_OTLP_ENDPOINT): no SDK is loaded and no span is made. */
  readonly tracing: TracingConfig | null;
  /** On SIGTERM, /ready answers 503 for this long before the listener closes and in-flight requests drain. */
  readonly shutdownDelayMs: number;
  /**
   * How long the drain waits for in-flight requests once the listener is closed, before it
   * cuts their connections. Never below the request deadline, or a request still within it is cut.
   */
  readonly shutdownGraceMs: number;
}

export interface TracingConfig {
  /** OTLP/HTTP base URL (traces go to `<endpoint>/v1/traces`); may carry a collector's credentials, so never logged. */
  readonly endpoint: string;
  /** The `service.name` resource attribute. */
  readonly serviceName: string;
}

export interface RedisConfig {
  /** redis:// or rediss://, user and password allowed: a secret as a whole, never logged. */
  readonly url: string;
  /** Namespaces every key and channel, so several deployments can share one Redis. */
  readonly keyPrefix: string;
  /** Longest any one Redis command may take before the shared tier gives up on it and falls back. */
  readonly commandTimeoutMs: number;
  /** Share of each provider's budget one replica may use while Redis is unavailable (e.g. 1/N for N replicas). */
  readonly fallbackRpsShare: number;
  /** How long a replica's claim on a task's provider call lasts without renewal (renewed while the call runs). */
  readonly leaseMs: number;
}

/** The variables that configure each provider's credentials, for messages that tell an operator what to set. */
export const CREDENTIAL_VARIABLES = {
  tencent: ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY'],
  alibaba: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
} as const satisfies Record<string, readonly VariableName[]>;

type Values = { readonly [K in VariableName]: ValueOf<(typeof VARIABLES)[K]> };

/** A variable's declared default, for a module whose own default must agree with the table. */
export function defaultOf<K extends VariableName>(name: K): Values[K] {
  return literalDefault<unknown>(VARIABLES[name]) as Values[K];
}

/** Reads every variable of the table once, each on first use, collecting problems in `read`. */
function readAll(read: EnvReader): Values {
  const values = new Map<string, unknown>();
  const context: ReadContext = {
    read,
    value(name) {
      if (!values.has(name)) {
        const variable: { read: (name: string, context: ReadContext) => unknown } | undefined = VARIABLES[name as VariableName];
        if (variable === undefined) throw new Error(`no configuration variable ${name}`);
        values.set(name, variable.read(name, context));
      }
      return values.get(name);
    },
  };
  for (const name of Object.keys(VARIABLES)) context.value(name);
  return Object.fromEntries(values) as Values;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const read = new EnvReader(env);
  const v = readAll(read);
  read.finish();
  const tencentToken = v.TENCENTCLOUD_SESSION_TOKEN;
  const alibabaToken = v.ALIBABA_CLOUD_SECURITY_TOKEN;
  return {
    port: v.PORT,
    host: v.HOST,
    nodeEnv: v.NODE_ENV,
    logLevel: v.LOG_LEVEL,
    exposeSchema: v.EXPOSE_SCHEMA,
    dashboard: v.DASHBOARD,
    emulator: v.EMULATOR,
    tencent: {
      credentials:
        v.TENCENTCLOUD_SECRET_ID !== undefined && v.TENCENTCLOUD_SECRET_KEY !== undefined
          ? { secretId: v.TENCENTCLOUD_SECRET_ID, secretKey: v.TENCENTCLOUD_SECRET_KEY, ...(tencentToken !== undefined && { sessionToken: tencentToken }) }
          : null,
      endpoint: v.MPS_ENDPOINT,
      ...(v.MPS_REGION !== undefined && { region: v.MPS_REGION }),
    },
    alibaba: {
      credentials:
        v.ALIBABA_CLOUD_ACCESS_KEY_ID !== undefined && v.ALIBABA_CLOUD_ACCESS_KEY_SECRET !== undefined
          ? { accessKeyId: v.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: v.ALIBABA_CLOUD_ACCESS_KEY_SECRET, ...(alibabaToken !== undefined && { securityToken: alibabaToken }) }
          : null,
      endpoint: v.ICE_ENDPOINT,
      region: v.ICE_REGION,
    },
    upstream: {
      timeoutMs: v.UPSTREAM_TIMEOUT_MS,
      concurrency: v.UPSTREAM_CONCURRENCY,
      maxBatchSize: v.UPSTREAM_MAX_BATCH_SIZE,
      maxAttempts: v.UPSTREAM_MAX_ATTEMPTS,
      retryBaseDelayMs: v.UPSTREAM_RETRY_BASE_DELAY_MS,
      retryMaxDelayMs: v.UPSTREAM_RETRY_MAX_DELAY_MS,
      requestDeadlineMs: v.REQUEST_DEADLINE_MS,
      rateLimit: { mpsRps: v.MPS_RATE_LIMIT_RPS, iceRps: v.ICE_RATE_LIMIT_RPS, maxQueue: v.RATE_LIMIT_MAX_QUEUE, marginMs: v.RATE_LIMIT_MARGIN_MS },
      cache: {
        terminalTtlMs: v.CACHE_TERMINAL_TTL_MS,
        runningTtlMs: v.CACHE_RUNNING_TTL_MS,
        notFoundTtlMs: v.CACHE_NOT_FOUND_TTL_MS,
        maxEntries: v.CACHE_MAX_ENTRIES,
        maxBytes: v.CACHE_MAX_BYTES,
      },
      responseCacheMaxBytes: v.RESPONSE_CACHE_MAX_BYTES,
    },
    limits: {
      maxTaskIds: v.MAX_TASK_IDS,
      maxEntityRepresentations: v.MAX_ENTITY_REPRESENTATIONS,
      bodyLimitBytes: v.BODY_LIMIT_BYTES,
      maxQueryDepth: v.MAX_QUERY_DEPTH,
      maxQueryAliases: v.MAX_QUERY_ALIASES,
      maxQueryTokens: v.MAX_QUERY_TOKENS,
      maxQueryCost: v.MAX_QUERY_COST,
      maxInputDepth: v.MAX_INPUT_DEPTH,
      maxInputValues: v.MAX_INPUT_VALUES,
    },
    security: { sharedSecret: v.SUBGRAPH_SHARED_SECRET, sharedSecretHeader: v.SUBGRAPH_SHARED_SECRET_HEADER },
    documentCacheMaxBytes: v.DOCUMENT_CACHE_MAX_BYTES,
    redis:
      v.REDIS_URL === null
        ? null
        : { url: v.REDIS_URL, keyPrefix: v.REDIS_KEY_PREFIX, commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS, fallbackRpsShare: v.REDIS_FALLBACK_RPS_SHARE, leaseMs: v.REDIS_LEASE_MS },
    subscriptions: {
      waitingIntervalMs: v.SUBSCRIPTION_WAITING_INTERVAL_MS,
      maxDurationMs: v.SUBSCRIPTION_MAX_DURATION_MS,
      maxPerConnection: v.SUBSCRIPTION_MAX_PER_CONNECTION,
      maxWatchedTasks: v.SUBSCRIPTION_MAX_WATCHED_TASKS,
      initTimeoutMs: v.SUBSCRIPTION_INIT_TIMEOUT_MS,
    },
    tracing: v.OTEL_EXPORTER_OTLP_ENDPOINT === null ? null : { endpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: v.OTEL_SERVICE_NAME },
    shutdownDelayMs: v.SHUTDOWN_DELAY_MS,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
  };
}
