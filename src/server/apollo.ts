/** Apollo Server with its plugins, in the order they run, and the operation check's parse and validation stages. */
import type http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { RequestContext } from '../context.js';
import { loggingPlugin } from '../observability/logging-plugin.js';
import type { Metrics } from '../observability/metrics.js';
import { tracingPlugin } from '../observability/tracing-plugin.js';
import type { Tracing } from '../observability/tracing.js';
import { httpSubscriptionGuard } from '../security/http-subscriptions.js';
import type { OperationCheck } from '../security/operation-check.js';
import { operationCheckPlugin } from '../security/operation-check-plugin.js';
import type { CallbackSubscriptions } from '../subscriptions/callback-transport.js';
import { includeStacktrace, responseCacheMaxBytes, type ServerConfig } from './options.js';

export interface ApolloPartOptions {
  readonly httpServer: http.Server;
  readonly check: OperationCheck;
  readonly callbacks: CallbackSubscriptions<RequestContext>;
  readonly config: ServerConfig;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly tracing: Tracing;
  /** The one place errors take their public shape, shared with the WebSocket transport. */
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Whole responses of cacheable operations; null when response caching is off. */
  readonly responseCache: InMemoryLRUCache<string> | null;
}

function boundedCache<T extends NonNullable<unknown>>(maxSize: number): InMemoryLRUCache<T> {
  return new InMemoryLRUCache<T>({ maxSize, sizeCalculation: InMemoryLRUCache.sizeCalculation });
}

/** A bounded cache of its own, so response bytes cannot crowd out Apollo's other caches; null when off. */
export function responseCacheFor(config: ServerConfig): InMemoryLRUCache<string> | null {
  const bytes = responseCacheMaxBytes(config.upstream);
  return bytes > 0 ? boundedCache<string>(bytes) : null;
}

function plugins(options: ApolloPartOptions): ApolloServerPlugin<RequestContext>[] {
  const { config, httpServer, responseCache } = options;
  return [
    // Apollo's default grace (10 s) is shorter than the default request deadline (15 s): a slow
    // request still within its deadline would get an empty reply and no log line.
    ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
    loggingPlugin({ logger: options.logger, metrics: options.metrics }),
    // A subscription over HTTP only with the router's callback extension; before the callback plugin answers it.
    httpSubscriptionGuard<RequestContext>(),
    options.callbacks.plugin,
    ...(options.tracing.enabled ? [tracingPlugin()] : []),
    // Before the response cache's lookup: both run on didResolveOperation / responseForOperation, in that order.
    operationCheckPlugin<RequestContext>(options.check),
    // Whole responses of cacheable operations: every task in them has a max-age, no errors.
    ...(responseCache ? [responseCachePlugin({ cache: responseCache })] : []),
    config.exposeSchema
      ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
      : ApolloServerPluginLandingPageDisabled(),
  ];
}

export async function startApollo(options: ApolloPartOptions): Promise<ApolloServer<RequestContext>> {
  const { config, check, logger } = options;
  const apollo = new ApolloServer<RequestContext>({
    schema: check.schema,
    // Bounded by DOCUMENT_CACHE_MAX_BYTES rather than Apollo's 30 MiB default.
    documentStore: config.documentCacheMaxBytes > 0 ? boundedCache<DocumentNode>(config.documentCacheMaxBytes) : null,
    // The operation check's own rule refuses it when the schema is hidden, with a message naming EXPOSE_SCHEMA.
    introspection: true,
    includeStacktraceInErrorResponses: includeStacktrace(config),
    formatError: options.formatError,
    csrfPrevention: true,
    // index.ts owns signal handling: Apollo's own handler would race ours and re-raise the signal mid-drain.
    stopOnTerminationSignals: false,
    // Depth and aliases in the rules; tokens in the parser, which stops at the limit instead of reading it all.
    validationRules: [...check.validationRules],
    parseOptions: check.parseOptions,
    // Federated tracing (ftv1) needs no plugin: Apollo adds its inline-trace plugin for a subgraph schema.
    plugins: plugins(options),
    logger: {
      debug: (message) => logger.debug(message),
      info: (message) => logger.info(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    },
  });
  await apollo.start();
  return apollo;
}
