/** What the server is built from: the config's own sections, and the process's parts (sources, metrics, logger). */
import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import type { DashboardOptions } from '../dashboard/routes.js';
import type { TaskSources } from '../loaders/task-loaders.js';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { OperationCheckOptions } from '../security/operation-check.js';
import type { CappedWatches } from '../subscriptions/capacity.js';

export type ServerConfig = Pick<
  AppConfig,
  | 'nodeEnv'
  | 'exposeSchema'
  | 'upstream'
  | 'limits'
  | 'security'
  | 'subscriptions'
  | 'documentCacheMaxBytes'
  | 'shutdownDelayMs'
  | 'shutdownGraceMs'
>;

export interface ServerOptions {
  readonly config: ServerConfig;
  readonly sources: TaskSources;
  /** The process's poller registry, for subscription fields; stop() completes its subscriptions. */
  readonly watches: CappedWatches;
  /** The task dashboard at /dashboard; null: not served (config.dashboard). */
  readonly dashboard: DashboardOptions | null;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Spans for requests, loader batches, quota waits and provider attempts; `noTracing` (the default) makes none. */
  readonly tracing?: Tracing;
  /** Epoch ms, for request deadlines; Date.now unless a test injects a clock. */
  readonly now?: () => number;
  /** What else /ready waits for: every configured provider holding a credential (src/providers/credentials/). */
  readonly ready?: () => boolean;
}

/** Where GraphQL is served, over HTTP and WebSocket: `/` too, where Sandbox derives its subscription URL from. */
export const GRAPHQL_PATHS = ['/graphql', '/'] as const;

/**
 * Bytes of whole responses kept by each response cache (Apollo's and the edge cache); they hold
 * what the task cache would, so with the task cache off neither runs.
 */
export function responseCacheMaxBytes(upstream: ServerConfig['upstream']): number {
  return upstream.cache.maxEntries > 0 && upstream.cache.maxBytes > 0 ? upstream.responseCacheMaxBytes : 0;
}

/** Stack traces in errors: only for local development. */
export function includeStacktrace(config: ServerConfig): boolean {
  return config.nodeEnv === 'development';
}

export function operationCheckOptions(config: ServerConfig): Omit<OperationCheckOptions, 'schema'> {
  const { limits, security } = config;
  return {
    queryLimits: {
      maxDepth: limits.maxQueryDepth,
      maxAliases: limits.maxQueryAliases,
      maxTokens: limits.maxQueryTokens,
      maxCost: limits.maxQueryCost,
    },
    inputBounds: { maxDepth: limits.maxInputDepth, maxValues: limits.maxInputValues },
    routerSecret: security.sharedSecret ? { secret: security.sharedSecret, header: security.sharedSecretHeader } : null,
    exposeSchema: config.exposeSchema,
    allowedOrigins: security.allowedOrigins,
  };
}
