/**
 * Environment -> validated, typed configuration: the only reader of process.env. Each variable is
 * declared once in variables.ts; loadConfig places the values in the AppConfig every module gets.
 */
import type { CredentialSettings } from '../providers/credentials/start.js';
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

/**
 * Each field holds one variable's value (loadConfig shows which); its meaning is that variable's
 * description in variables.ts, rendered in docs/configuration.md.
 */
export interface AppConfig {
  readonly port: number;
  /** undefined: all interfaces. */
  readonly host: string | undefined;
  readonly nodeEnv: string;
  readonly logLevel: LogLevel;
  readonly exposeSchema: boolean;
  readonly dashboard: boolean;
  /** Off, a provider without credentials answers PROVIDER_NOT_CONFIGURED: production never serves invented tasks. */
  readonly emulator: boolean;
  readonly tencent: TencentConfig;
  readonly alibaba: AlibabaConfig;
  /** Where each provider's credential comes from, static keys included (docs/credentials.md). */
  readonly credentialSources: CredentialSettings;
  readonly upstream: {
    readonly timeoutMs: number;
    readonly concurrency: number;
    readonly maxBatchSize: number;
    readonly maxAttempts: number;
    readonly retryBaseDelayMs: number;
    readonly retryMaxDelayMs: number;
    readonly requestDeadlineMs: number;
    readonly rateLimit: {
      readonly mpsRps: number;
      readonly iceRps: number;
      readonly maxQueue: number;
      readonly marginMs: number;
      /** Share of each window kept for each background class (first reads, refreshes). */
      readonly reservedShare: number;
    };
    readonly cache: {
      readonly terminalTtlMs: number;
      readonly runningTtlMs: number;
      readonly notFoundTtlMs: number;
      readonly maxEntries: number;
      readonly maxBytes: number;
    };
    readonly responseCacheMaxBytes: number;
  };
  readonly limits: {
    readonly maxTaskIds: number;
    readonly maxEntityRepresentations: number;
    readonly bodyLimitBytes: number;
    readonly maxQueryDepth: number;
    readonly maxQueryAliases: number;
    readonly maxQueryTokens: number;
    readonly maxQueryCost: number;
    readonly maxInputDepth: number;
    readonly maxInputValues: number;
    /** Node's requestTimeout and headersTimeout: a whole request, headers and body. */
    readonly httpRequestTimeoutMs: number;
    /** Node's maxConnections. */
    readonly httpMaxConnections: number;
  };
  readonly security: {
    /** null: no check. */
    readonly sharedSecret: string | null;
    /** Lower case. */
    readonly sharedSecretHeader: string;
    /** Browser origins allowed besides the subgraph's own (serialised origins). */
    readonly allowedOrigins: readonly string[];
  };
  readonly documentCacheMaxBytes: number;
  /** null: this process owns the whole quota, and no Redis client is loaded. */
  readonly redis: RedisConfig | null;
  readonly subscriptions: {
    readonly waitingIntervalMs: number;
    readonly maxDurationMs: number;
    readonly maxPerConnection: number;
    readonly maxWatchedTasks: number;
    /** Distinct tasks one client may watch at once. */
    readonly maxWatchedTasksPerClient: number;
    readonly initTimeoutMs: number;
    /** WebSocket and callback subscriptions together. */
    readonly maxActive: number;
    /** Allowed callback URL prefixes (origin and path); empty: the callback protocol is off. */
    readonly callbackUrls: readonly string[];
    readonly callbackTimeoutMs: number;
    readonly maxConnections: number;
    readonly maxBufferedBytes: number;
    readonly readTimeoutMs: number;
  };
  /** null: no OpenTelemetry SDK is loaded and no span is made. */
  readonly tracing: TracingConfig | null;
  readonly shutdownDelayMs: number;
  /** Never below upstream.requestDeadlineMs. */
  readonly shutdownGraceMs: number;
}

export interface TracingConfig {
  /** Traces go to `<endpoint>/v1/traces`; may carry a collector's credentials, so never logged. */
  readonly endpoint: string;
  readonly serviceName: string;
}

export interface RedisConfig {
  /** May carry a password: a secret as a whole, never logged. */
  readonly url: string;
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
  readonly fallbackRpsShare: number;
  readonly leaseMs: number;
  /** Key of the MAC over stored answers; null: stored unsigned. A secret, never logged. */
  readonly valueKey: string | null;
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
        const variable: { read: (name: string, context: ReadContext) => unknown } | undefined =
          VARIABLES[name as VariableName];
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
  const keys = staticKeys(v);
  return {
    port: v.PORT,
    host: v.HOST,
    nodeEnv: v.NODE_ENV,
    logLevel: v.LOG_LEVEL,
    exposeSchema: v.EXPOSE_SCHEMA,
    dashboard: v.DASHBOARD,
    emulator: v.EMULATOR,
    tencent: {
      credentials: keys.tencent,
      endpoint: v.MPS_ENDPOINT,
      ...(v.MPS_REGION !== undefined && { region: v.MPS_REGION }),
    },
    alibaba: {
      credentials: keys.alibaba,
      endpoint: v.ICE_ENDPOINT,
      region: v.ICE_REGION,
    },
    credentialSources: credentialSourcesOf(v, keys),
    upstream: upstreamOf(v),
    limits: limitsOf(v),
    security: {
      sharedSecret: v.SUBGRAPH_SHARED_SECRET,
      sharedSecretHeader: v.SUBGRAPH_SHARED_SECRET_HEADER,
      allowedOrigins: v.WEBSOCKET_ALLOWED_ORIGINS,
    },
    documentCacheMaxBytes: v.DOCUMENT_CACHE_MAX_BYTES,
    redis: redisOf(v),
    subscriptions: subscriptionsOf(v),
    tracing:
      v.OTEL_EXPORTER_OTLP_ENDPOINT === null
        ? null
        : { endpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: v.OTEL_SERVICE_NAME },
    shutdownDelayMs: v.SHUTDOWN_DELAY_MS,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
  };
}

interface StaticKeys {
  readonly tencent: TencentCredentials | null;
  readonly alibaba: AlibabaCredentials | null;
}

/** Each provider's keys from the environment, when both halves are set. */
function staticKeys(v: Values): StaticKeys {
  const tencentToken = v.TENCENTCLOUD_SESSION_TOKEN;
  const alibabaToken = v.ALIBABA_CLOUD_SECURITY_TOKEN;
  return {
    tencent:
      v.TENCENTCLOUD_SECRET_ID !== undefined && v.TENCENTCLOUD_SECRET_KEY !== undefined
        ? {
            secretId: v.TENCENTCLOUD_SECRET_ID,
            secretKey: v.TENCENTCLOUD_SECRET_KEY,
            ...(tencentToken !== undefined && { sessionToken: tencentToken }),
          }
        : null,
    alibaba:
      v.ALIBABA_CLOUD_ACCESS_KEY_ID !== undefined && v.ALIBABA_CLOUD_ACCESS_KEY_SECRET !== undefined
        ? {
            accessKeyId: v.ALIBABA_CLOUD_ACCESS_KEY_ID,
            accessKeySecret: v.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
            ...(alibabaToken !== undefined && { securityToken: alibabaToken }),
          }
        : null,
  };
}

function credentialSourcesOf(v: Values, keys: StaticKeys): AppConfig['credentialSources'] {
  return {
    tencent: {
      static: keys.tencent,
      tke:
        v.TKE_REGION !== undefined &&
        v.TKE_PROVIDER_ID !== undefined &&
        v.TKE_WEB_IDENTITY_TOKEN_FILE !== undefined &&
        v.TKE_ROLE_ARN !== undefined
          ? {
              region: v.TKE_REGION,
              providerId: v.TKE_PROVIDER_ID,
              webIdentityTokenFile: v.TKE_WEB_IDENTITY_TOKEN_FILE,
              roleArn: v.TKE_ROLE_ARN,
            }
          : null,
      stsEndpoint: v.TENCENTCLOUD_STS_ENDPOINT ?? null,
      credentialsFile: v.TENCENTCLOUD_CREDENTIALS_FILE ?? null,
      cvmRole: v.TENCENTCLOUD_CVM_ROLE ?? null,
      metadataOrigin: v.TENCENTCLOUD_METADATA_ORIGIN,
    },
    alibaba: {
      static: keys.alibaba,
      rrsa:
        v.ALIBABA_CLOUD_ROLE_ARN !== undefined &&
        v.ALIBABA_CLOUD_OIDC_PROVIDER_ARN !== undefined &&
        v.ALIBABA_CLOUD_OIDC_TOKEN_FILE !== undefined
          ? {
              roleArn: v.ALIBABA_CLOUD_ROLE_ARN,
              oidcProviderArn: v.ALIBABA_CLOUD_OIDC_PROVIDER_ARN,
              oidcTokenFile: v.ALIBABA_CLOUD_OIDC_TOKEN_FILE,
            }
          : null,
      stsEndpoint: v.ALIBABA_CLOUD_STS_ENDPOINT ?? null,
      credentialsUri: v.ALIBABA_CLOUD_CREDENTIALS_URI,
      credentialsFile: v.ALIBABA_CLOUD_CREDENTIALS_FILE ?? null,
      profile: v.ALIBABA_CLOUD_PROFILE,
      ecsMetadataRole: v.ALIBABA_CLOUD_ECS_METADATA ?? null,
      metadataOrigin: v.ALIBABA_CLOUD_ECS_METADATA_ORIGIN,
      imdsv1Disabled: v.ALIBABA_CLOUD_IMDSV1_DISABLED,
    },
  };
}

function upstreamOf(v: Values): AppConfig['upstream'] {
  return {
    timeoutMs: v.UPSTREAM_TIMEOUT_MS,
    concurrency: v.UPSTREAM_CONCURRENCY,
    maxBatchSize: v.UPSTREAM_MAX_BATCH_SIZE,
    maxAttempts: v.UPSTREAM_MAX_ATTEMPTS,
    retryBaseDelayMs: v.UPSTREAM_RETRY_BASE_DELAY_MS,
    retryMaxDelayMs: v.UPSTREAM_RETRY_MAX_DELAY_MS,
    requestDeadlineMs: v.REQUEST_DEADLINE_MS,
    rateLimit: {
      mpsRps: v.MPS_RATE_LIMIT_RPS,
      iceRps: v.ICE_RATE_LIMIT_RPS,
      maxQueue: v.RATE_LIMIT_MAX_QUEUE,
      marginMs: v.RATE_LIMIT_MARGIN_MS,
      reservedShare: v.RATE_LIMIT_RESERVED_SHARE,
    },
    cache: {
      terminalTtlMs: v.CACHE_TERMINAL_TTL_MS,
      runningTtlMs: v.CACHE_RUNNING_TTL_MS,
      notFoundTtlMs: v.CACHE_NOT_FOUND_TTL_MS,
      maxEntries: v.CACHE_MAX_ENTRIES,
      maxBytes: v.CACHE_MAX_BYTES,
    },
    responseCacheMaxBytes: v.RESPONSE_CACHE_MAX_BYTES,
  };
}

function limitsOf(v: Values): AppConfig['limits'] {
  return {
    maxTaskIds: v.MAX_TASK_IDS,
    maxEntityRepresentations: v.MAX_ENTITY_REPRESENTATIONS,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    maxQueryDepth: v.MAX_QUERY_DEPTH,
    maxQueryAliases: v.MAX_QUERY_ALIASES,
    maxQueryTokens: v.MAX_QUERY_TOKENS,
    maxQueryCost: v.MAX_QUERY_COST,
    maxInputDepth: v.MAX_INPUT_DEPTH,
    maxInputValues: v.MAX_INPUT_VALUES,
    httpRequestTimeoutMs: v.HTTP_REQUEST_TIMEOUT_MS,
    httpMaxConnections: v.HTTP_MAX_CONNECTIONS,
  };
}

function redisOf(v: Values): AppConfig['redis'] {
  if (v.REDIS_URL === null) return null;
  return {
    url: v.REDIS_URL,
    keyPrefix: v.REDIS_KEY_PREFIX,
    commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    fallbackRpsShare: v.REDIS_FALLBACK_RPS_SHARE,
    leaseMs: v.REDIS_LEASE_MS,
    valueKey: v.REDIS_VALUE_KEY,
  };
}

function subscriptionsOf(v: Values): AppConfig['subscriptions'] {
  return {
    waitingIntervalMs: v.SUBSCRIPTION_WAITING_INTERVAL_MS,
    maxDurationMs: v.SUBSCRIPTION_MAX_DURATION_MS,
    maxPerConnection: v.SUBSCRIPTION_MAX_PER_CONNECTION,
    maxWatchedTasks: v.SUBSCRIPTION_MAX_WATCHED_TASKS,
    maxWatchedTasksPerClient: v.SUBSCRIPTION_MAX_WATCHED_TASKS_PER_CLIENT,
    initTimeoutMs: v.SUBSCRIPTION_INIT_TIMEOUT_MS,
    maxActive: v.SUBSCRIPTION_MAX_ACTIVE,
    callbackUrls: v.SUBSCRIPTION_CALLBACK_URLS,
    callbackTimeoutMs: v.SUBSCRIPTION_CALLBACK_TIMEOUT_MS,
    maxConnections: v.WEBSOCKET_MAX_CONNECTIONS,
    maxBufferedBytes: v.WEBSOCKET_MAX_BUFFERED_BYTES,
    readTimeoutMs: v.WEBSOCKET_READ_TIMEOUT_MS,
  };
}
