/**
 * Environment -> validated, typed configuration. The only module that reads
 * process.env; everything else receives an AppConfig (or a slice of it).
 *
 * Every problem is collected before throwing, so an operator fixes a broken
 * deployment in one round. Error messages name the variable and, for
 * non-secret variables, the offending value; secret values are never echoed.
 */

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

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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

/** What a request may still need after its deadline: formatting and writing the answer, its log line. */
export const SHUTDOWN_GRACE_MARGIN_MS = 5_000;

export class ConfigError extends Error {
  /** Names of the variables at fault, for tests and structured logs. */
  readonly variables: readonly string[];

  constructor(problems: readonly { readonly variable: string; readonly problem: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
    this.variables = problems.map((p) => p.variable);
  }
}

type Env = NodeJS.ProcessEnv;

/** The variables that configure each provider's credentials, for messages that tell an operator what to set. */
export const CREDENTIAL_VARIABLES = {
  tencent: ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY'],
  alibaba: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
} as const;

/** `^[a-z0-9-]+$`: region ids end up in hostnames and headers. */
const REGION_PATTERN = /^[a-z0-9-]+$/;
/** Lower case, digits and dashes: what proxies pass through untouched, and what log redaction paths can name. */
const HEADER_NAME_PATTERN = /^[a-z0-9-]+$/;

/**
 * Reads and validates variables, recording problems instead of throwing so
 * that `loadConfig` can report all of them. On a problem, readers return the
 * default (or a placeholder) so that loading can continue; the result is
 * discarded because `finish` throws.
 */
export class EnvReader {
  private readonly problems: { variable: string; problem: string }[] = [];

  constructor(private readonly env: Env) {}

  /** Unset and blank are the same thing: compose files and CI often export empty strings. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  fail(variable: string, problem: string): void {
    this.problems.push({ variable, problem });
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  /** Decimal digits only: "10ms", "1e3" and "-1" are mistakes, not numbers. */
  int(name: string, fallback: number, range: { readonly min: number; readonly max?: number }): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(value) || value < range.min || value > max) {
      const bounds = range.max === undefined ? `>= ${range.min}` : `between ${range.min} and ${range.max}`;
      this.fail(name, `must be an integer ${bounds} (got ${JSON.stringify(text)})`);
      return fallback;
    }
    return value;
  }

  /** Only the spellings people actually write; anything else is reported, not guessed. */
  bool(name: string, fallback: boolean): boolean {
    const text = this.raw(name)?.toLowerCase();
    if (text === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'off'].includes(text)) return false;
    this.fail(name, `must be true or false (got ${JSON.stringify(text)})`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === text);
    if (match === undefined) {
      this.fail(name, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(text)})`);
      return fallback;
    }
    return match;
  }

  pattern(name: string, re: RegExp, fallback: string): string;
  pattern(name: string, re: RegExp, fallback?: undefined): string | undefined;
  pattern(name: string, re: RegExp, fallback?: string): string | undefined {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (!re.test(text)) {
      this.fail(name, `must match ${re.source} (got ${JSON.stringify(text)})`);
      return fallback;
    }
    return text;
  }

  /**
   * An http(s) origin. Paths, queries and user info are rejected rather than
   * ignored: both signers sign the path `/`, and credentials in a URL would
   * travel in clear. The value is not echoed, since a URL may carry user info.
   */
  url(name: string, fallback: string): string {
    const text = this.raw(name) ?? fallback;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.fail(name, 'must be an absolute http(s) URL');
      return fallback;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.fail(name, 'must be an http(s) URL');
    } else if (url.username || url.password) {
      this.fail(name, 'must not contain user info');
    } else if (url.pathname !== '/' || url.search || url.hash) {
      this.fail(name, 'must be an origin without path, query or fragment');
    } else {
      return url.origin;
    }
    return fallback;
  }

  /**
   * An id/secret pair: both or neither. A half-configured pair is a deployment
   * mistake worth stopping for; the message names the missing variable only.
   */
  pair(idName: string, secretName: string): { id: string; secret: string } | null {
    const id = this.raw(idName);
    const secret = this.raw(secretName);
    if (id !== undefined && secret !== undefined) return { id, secret };
    if (id !== undefined) this.fail(secretName, `is required when ${idName} is set`);
    if (secret !== undefined) this.fail(idName, `is required when ${secretName} is set`);
    return null;
  }

  /**
   * A secret of our own (not a provider's): never echoed, and too short is a mistake worth stopping for.
   * Unlike other variables, set-but-blank is not "unset": `SUBGRAPH_SHARED_SECRET=` from a secret store
   * that came back empty would otherwise switch authentication off without a word.
   */
  secret(name: string, rules: { readonly minLength: number }): string | null {
    const value = this.raw(name);
    if (value === undefined) {
      if (this.env[name] !== undefined) this.fail(name, `is set but empty; it must be at least ${rules.minLength} characters long (unset it to turn the check off)`);
      return null;
    }
    if (value.length < rules.minLength) {
      this.fail(name, `must be at least ${rules.minLength} characters long`);
      return null;
    }
    return value;
  }

  /** A token without the key pair it belongs to is useless and probably a mistake. */
  companion(name: string, pairPresent: boolean, pairNames: string): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && !pairPresent) this.fail(name, `is set but ${pairNames} are not`);
    return pairPresent ? value : undefined;
  }

  /** A decimal fraction in (0, 1]. */
  fraction(name: string, fallback: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
    if (!(value > 0 && value <= 1)) {
      this.fail(name, `must be a number greater than 0 and at most 1 (got ${JSON.stringify(text)})`);
      return fallback;
    }
    return value;
  }

  /**
   * A Redis URL. The value is never echoed, not even in part: it may carry a password.
   */
  redisUrl(name: string): string | null {
    const text = this.raw(name);
    if (text === undefined) return null;
    const url = this.urlOf(name, text, ['redis:', 'rediss:'], 'must be a redis:// or rediss:// URL', 'must be a redis:// or rediss:// URL');
    if (url === null) return null;
    if (!url.hostname) {
      this.fail(name, 'must name a host');
      return null;
    }
    const db = url.pathname.replace(/^\//, '');
    if (db !== '' && !/^\d{1,2}$/.test(db)) {
      this.fail(name, 'must have no path other than a database number');
      return null;
    }
    return text;
  }

  /** An http(s) URL that may have a path; never echoed (it may carry credentials). */
  httpUrl(name: string): string | null {
    const text = this.raw(name);
    if (text === undefined) return null;
    return this.urlOf(name, text, ['http:', 'https:'], 'must be an absolute http(s) URL', 'must be an http(s) URL') === null ? null : text;
  }

  /** Parses `text` as a URL of one of `protocols`, or records why not (never echoing the value). */
  private urlOf(name: string, text: string, protocols: readonly string[], notAUrl: string, wrongProtocol: string): URL | null {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.fail(name, notAUrl);
      return null;
    }
    if (!protocols.includes(url.protocol)) {
      this.fail(name, wrongProtocol);
      return null;
    }
    return url;
  }

  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/** The domain the API's international doc page names for this action. */
export const DEFAULT_MPS_ENDPOINT = 'https://mps.intl.tencentcloudapi.com';

function loadTencent(read: EnvReader): TencentConfig {
  const pair = read.pair('TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY');
  // The official SDK's env provider says SESSION_TOKEN; Terraform says SECURITY_TOKEN. Accept both.
  const tokenName = read.raw('TENCENTCLOUD_SESSION_TOKEN') !== undefined ? 'TENCENTCLOUD_SESSION_TOKEN' : 'TENCENTCLOUD_SECURITY_TOKEN';
  const sessionToken = read.companion(tokenName, pair !== null, 'TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY');
  const region = read.pattern('MPS_REGION', REGION_PATTERN);
  return {
    credentials: pair && { secretId: pair.id, secretKey: pair.secret, ...(sessionToken !== undefined && { sessionToken }) },
    // The DescribeImageTaskDetail page this subgraph follows (international site) names
    // mps.intl.tencentcloudapi.com; China-site accounts set MPS_ENDPOINT (README, Configuration).
    endpoint: read.url('MPS_ENDPOINT', DEFAULT_MPS_ENDPOINT),
    ...(region !== undefined && { region }),
  };
}

function loadAlibaba(read: EnvReader): AlibabaConfig {
  const pair = read.pair('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  const securityToken = read.companion(
    'ALIBABA_CLOUD_SECURITY_TOKEN',
    pair !== null,
    'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  );
  const region = read.pattern('ICE_REGION', REGION_PATTERN, 'cn-shanghai');
  return {
    credentials: pair && { accessKeyId: pair.id, accessKeySecret: pair.secret, ...(securityToken !== undefined && { securityToken }) },
    endpoint: read.url('ICE_ENDPOINT', `https://ice.${region}.aliyuncs.com`),
    region,
  };
}

function loadRedis(read: EnvReader): RedisConfig | null {
  const url = read.redisUrl('REDIS_URL');
  const keyPrefix = read.pattern('REDIS_KEY_PREFIX', /^[A-Za-z0-9:_.-]{1,64}$/, 'media-task-subgraph:');
  const commandTimeoutMs = read.int('REDIS_COMMAND_TIMEOUT_MS', 250, { min: 10, max: 10_000 });
  const fallbackRpsShare = read.fraction('REDIS_FALLBACK_RPS_SHARE', 0.5);
  const leaseMs = read.int('REDIS_LEASE_MS', 3_000, { min: 100, max: 600_000 });
  return url === null ? null : { url, keyPrefix, commandTimeoutMs, fallbackRpsShare, leaseMs };
}

/** The two standard OpenTelemetry variables this subgraph reads (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). */
function loadTracing(read: EnvReader): TracingConfig | null {
  const endpoint = read.httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT');
  const serviceName = read.pattern('OTEL_SERVICE_NAME', /^[\x21-\x7e]{1,128}$/, 'media-task-subgraph');
  return endpoint === null ? null : { endpoint, serviceName };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const read = new EnvReader(env);
  // Unset is neither: Sandbox stays on (as Apollo does), stack traces stay off (only `development` shows them).
  const nodeEnv = read.string('NODE_ENV', '');
  const tencent = loadTencent(read);
  const alibaba = loadAlibaba(read);
  const requestDeadlineMs = read.int('REQUEST_DEADLINE_MS', 15_000, { min: 1 });
  // Production hides the schema unless EXPOSE_SCHEMA says otherwise.
  const exposeSchema = read.bool('EXPOSE_SCHEMA', nodeEnv !== 'production');
  const config: AppConfig = {
    port: read.int('PORT', 4001, { min: 0, max: 65_535 }),
    host: read.raw('HOST'),
    nodeEnv,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    exposeSchema,
    // The page shows what any client may already ask for, but a production deployment exposes
    // nothing it did not choose to: it follows Sandbox unless DASHBOARD says otherwise.
    dashboard: read.oneOf('DASHBOARD', ['on', 'off'], exposeSchema ? 'on' : 'off') === 'on',
    // Production never answers with invented tasks unless a person asks for it (README, "Production rule").
    emulator: read.oneOf('EMULATOR', ['on', 'off'], nodeEnv === 'production' ? 'off' : 'on') === 'on',
    tencent,
    alibaba,
    upstream: {
      timeoutMs: read.int('UPSTREAM_TIMEOUT_MS', 10_000, { min: 1 }),
      concurrency: read.int('UPSTREAM_CONCURRENCY', 16, { min: 1 }),
      maxBatchSize: read.int('UPSTREAM_MAX_BATCH_SIZE', 100, { min: 1 }),
      maxAttempts: read.int('UPSTREAM_MAX_ATTEMPTS', 3, { min: 1, max: 10 }),
      retryBaseDelayMs: read.int('UPSTREAM_RETRY_BASE_DELAY_MS', 100, { min: 1 }),
      retryMaxDelayMs: read.int('UPSTREAM_RETRY_MAX_DELAY_MS', 2_000, { min: 1 }),
      requestDeadlineMs,
      rateLimit: {
        // MPS documents 20 requests/second for DescribeImageTaskDetail.
        mpsRps: read.int('MPS_RATE_LIMIT_RPS', 20, { min: 1 }),
        iceRps: read.int('ICE_RATE_LIMIT_RPS', 20, { min: 1 }),
        maxQueue: read.int('RATE_LIMIT_MAX_QUEUE', 1_000, { min: 0 }),
        // The provider counts arrivals; send delays that differ by up to this much cannot put
        // more than the budget into one of its seconds (src/upstream/rate-limiter.ts).
        marginMs: read.int('RATE_LIMIT_MARGIN_MS', 100, { min: 0, max: 10_000 }),
      },
      cache: {
        terminalTtlMs: read.int('CACHE_TERMINAL_TTL_MS', 600_000, { min: 0 }),
        runningTtlMs: read.int('CACHE_RUNNING_TTL_MS', 2_000, { min: 0 }),
        notFoundTtlMs: read.int('CACHE_NOT_FOUND_TTL_MS', 2_000, { min: 0 }),
        maxEntries: read.int('CACHE_MAX_ENTRIES', 10_000, { min: 0 }),
        // 64 MiB: 10,000 small tasks take about 4 MiB by the estimate, so the count binds
        // first for them; a few hundred workflow tasks with long graphs reach the bytes first.
        maxBytes: read.int('CACHE_MAX_BYTES', 64 * 1024 * 1024, { min: 0 }),
      },
      responseCacheMaxBytes: read.int('RESPONSE_CACHE_MAX_BYTES', 2 * 1024 * 1024, { min: 0 }),
    },
    limits: {
      maxTaskIds: read.int('MAX_TASK_IDS', 100, { min: 1 }),
      // The router batches a few dozen representations per fetch; 500 leaves it ample room
      // while one request can no longer name thousands of tasks.
      maxEntityRepresentations: read.int('MAX_ENTITY_REPRESENTATIONS', 500, { min: 1 }),
      // Express's own default; 100 ids with a query fit in a few KB.
      bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 100 * 1024, { min: 1 }),
      // The deepest real query (workflowTask > workflow > graph > nodes > result > status) is 6.
      maxQueryDepth: read.int('MAX_QUERY_DEPTH', 12, { min: 1 }),
      maxQueryAliases: read.int('MAX_QUERY_ALIASES', 15, { min: 0 }),
      // A query for every field of both types is about 120 tokens; the introspection query about 190.
      maxQueryTokens: read.int('MAX_QUERY_TOKENS', 2_000, { min: 100 }),
      // A router batch of 500 ImageTask representations selecting every field and __typename costs
      // 12,000; the README's Dashboard with 100 ids 500. 15 __typename aliases over the ~2,000
      // representations a 94 KB body holds cost 34,000.
      maxQueryCost: read.int('MAX_QUERY_COST', 20_000, { min: 100 }),
      // `_entities` representations are 3 levels deep ({representations: [{__typename, taskId}]}),
      // a persisted-query extension 2; 8 leaves room for compound keys.
      maxInputDepth: read.int('MAX_INPUT_DEPTH', 8, { min: 3, max: 1_000 }),
      // A router batch of 500 representations of one key field is about 1,500 values.
      maxInputValues: read.int('MAX_INPUT_VALUES', 10_000, { min: 10 }),
    },
    security: {
      sharedSecret: read.secret('SUBGRAPH_SHARED_SECRET', { minLength: 16 }),
      sharedSecretHeader: read.pattern('SUBGRAPH_SHARED_SECRET_HEADER', HEADER_NAME_PATTERN, 'router-authorization'),
    },
    // Apollo's default is 30 MiB by its measure, about 120 MiB of heap; distinct documents are
    // cheap to send, so the bound is smaller here: 8 MiB, about 32 MiB of heap, still thousands
    // of the documents real clients send.
    documentCacheMaxBytes: read.int('DOCUMENT_CACHE_MAX_BYTES', 8 * 1024 * 1024, { min: 0 }),
    redis: loadRedis(read),
    subscriptions: {
      // A queued task can wait minutes; polling it at the running rate would spend budget on "still waiting".
      waitingIntervalMs: read.int('SUBSCRIPTION_WAITING_INTERVAL_MS', 10_000, { min: 100 }),
      // An hour outlasts any image task and most workflow runs; a client that still cares subscribes again.
      maxDurationMs: read.int('SUBSCRIPTION_MAX_DURATION_MS', 3_600_000, { min: 1_000 }),
      maxPerConnection: read.int('SUBSCRIPTION_MAX_PER_CONNECTION', 100, { min: 1 }),
      // Each watched task costs one provider call per interval: 1,000 running tasks at 2 s is 500 calls/s,
      // far over the default rate budget, so the budget, not this bound, is what slows polls first.
      maxWatchedTasks: read.int('SUBSCRIPTION_MAX_WATCHED_TASKS', 1_000, { min: 1 }),
      initTimeoutMs: read.int('SUBSCRIPTION_INIT_TIMEOUT_MS', 10_000, { min: 100 }),
    },
    tracing: loadTracing(read),
    shutdownDelayMs: read.int('SHUTDOWN_DELAY_MS', 0, { min: 0, max: 600_000 }),
    shutdownGraceMs: read.int('SHUTDOWN_GRACE_MS', requestDeadlineMs + SHUTDOWN_GRACE_MARGIN_MS, { min: 1 }),
  };
  if (config.shutdownGraceMs < requestDeadlineMs) {
    read.fail('SHUTDOWN_GRACE_MS', `must be at least REQUEST_DEADLINE_MS (${requestDeadlineMs}): a shorter drain cuts requests still within their deadline`);
  }
  if (config.upstream.retryMaxDelayMs < config.upstream.retryBaseDelayMs) {
    read.fail('UPSTREAM_RETRY_MAX_DELAY_MS', `must be at least UPSTREAM_RETRY_BASE_DELAY_MS (${config.upstream.retryBaseDelayMs})`);
  }
  read.finish();
  return config;
}
