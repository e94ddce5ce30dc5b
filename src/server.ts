/**
 * Builds the HTTP app and Apollo Server from injected parts; index.ts decides the port
 * and when to stop. Tests build it on port 0 with an emulator behind it.
 */
import { setMaxListeners } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { RequestContext } from './context.js';
import { createTaskLoaders, type TaskLoaderOptions, type TaskSources } from './loaders/task-loaders.js';
import type { TaskMaxAge } from './resolvers/cache-hints.js';
import { createErrorFormatter } from './resolvers/errors.js';
import { buildSchema } from './schema.js';
import { dashboardRouter, type DashboardOptions } from './dashboard/routes.js';
import { createEdgeCache } from './http-cache/edge-cache.js';
import { edgeCacheRecorder, loggingPlugin } from './observability/logging-plugin.js';
import type { Metrics, RefusalReason } from './observability/metrics.js';
import { newRequestTelemetry, requestIdFrom } from './observability/request-telemetry.js';
import { tracingPlugin } from './observability/tracing-plugin.js';
import { noTracing, type TraceSpan, type Tracing } from './observability/tracing.js';
import { answerClientErrors } from './security/client-errors.js';
import { BAD_JSON_BODY_MESSAGE, sendGraphQLError } from './security/http-errors.js';
import type { InputBounds } from './security/input-bounds.js';
import { inputBoundsMiddleware } from './security/input-bounds-middleware.js';
import { noIntrospection } from './security/introspection.js';
import { supportedOperationTypes } from './security/operation-types.js';
import { queryCostPlugin } from './security/query-cost-plugin.js';
import { queryLimitRules, type QueryLimits } from './security/query-limits.js';
import { carriesRouterSecret, routerAuthentication } from './security/router-auth.js';
import { httpSubscriptionGuard } from './security/http-subscriptions.js';
import { callbackSubscriptions } from './subscriptions/callback-transport.js';
import type { TaskWatches } from './subscriptions/task-watches.js';
import { startWsTransport } from './subscriptions/ws-transport.js';

export interface ServerOptions {
  readonly sources: TaskSources;
  readonly loaderOptions: TaskLoaderOptions;
  readonly maxTaskIds: number;
  /** Most representations in one `_entities` query. */
  readonly maxEntityRepresentations: number;
  /** Cache-Control max-age by task state. */
  readonly taskMaxAge: TaskMaxAge;
  /** Each request's provider work (waits and retries included) must end this long after it arrived. */
  readonly requestDeadlineMs: number;
  /** Epoch ms, for request deadlines; Date.now unless a test injects a clock. */
  readonly now?: () => number;
  /** Sandbox landing page and introspection. */
  readonly exposeSchema: boolean;
  /** The task dashboard at /dashboard; null: not served (config.dashboard). */
  readonly dashboard: DashboardOptions | null;
  /** Stack traces in errors: only for local development. */
  readonly includeStacktrace: boolean;
  readonly bodyLimitBytes: number;
  /**
   * Bytes of whole responses reused for as long as their cache hints allow, in each of the
   * two response caches (Apollo's, and the edge cache in front of Express); 0 turns both off.
   */
  readonly responseCacheMaxBytes: number;
  /** Apollo's parsed-document cache, in its own measure (JSON length); 0 turns it off. */
  readonly documentCacheMaxBytes: number;
  /** Depth, alias, token and cost bounds of one GraphQL operation. */
  readonly queryLimits: QueryLimits;
  /** Nesting and size of `variables` and `extensions`, checked before anything walks them. */
  readonly inputBounds: InputBounds;
  /** When set, every request but /health, /ready and /metrics must carry `secret` in `header`. */
  readonly routerAuth: { readonly secret: string; readonly header: string } | null;
  /** How long stop() answers /ready with 503, listener still open, before draining. */
  readonly shutdownDelayMs: number;
  /** How long the drain waits for in-flight requests before cutting them; at least requestDeadlineMs (config.ts). */
  readonly shutdownGraceMs: number;
  /** The process's poller registry, for subscription fields; stop() completes its subscriptions. */
  readonly watches: TaskWatches;
  /** WebSocket bounds: operations in progress per connection, time allowed before `connection_init`. */
  readonly subscriptions: { readonly maxPerConnection: number; readonly initTimeoutMs: number };
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Spans for requests, loader batches, quota waits and provider attempts; `noTracing` (the default) makes none. */
  readonly tracing?: Tracing;
}

/** Set on every request by the first middleware. */
interface RequestLocals {
  requestId: string;
}

export interface SubgraphServer {
  readonly httpServer: http.Server;
  readonly apollo: ApolloServer<RequestContext>;
  /** Listen on loopback or all interfaces; resolves with the URL actually bound. */
  listen(port: number, host?: string): Promise<string>;
  /** /ready turns 503, then after `shutdownDelayMs` the listener closes and in-flight requests finish. */
  stop(): Promise<void>;
  readonly isReady: () => boolean;
}

/** Ends when the response does (or the client goes away), with the status it got. */
function requestSpan(tracing: Tracing, req: http.IncomingMessage, res: http.ServerResponse): TraceSpan {
  const span = tracing.startRequest('graphql request', (name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }, { 'http.request.method': req.method ?? '' });
  const end = (): void => {
    span.setAttributes({ 'http.response.status_code': res.statusCode });
    if (res.statusCode >= 500) span.fail(String(res.statusCode));
    span.end();
  };
  if (res.closed) end();
  else res.once('close', end);
  return span;
}

export async function createSubgraphServer(options: ServerOptions): Promise<SubgraphServer> {
  const tracing = options.tracing ?? noTracing;
  const app = express();
  app.disable('x-powered-by');
  // An ETag is a hash of every response body; no GraphQL client here revalidates with one.
  app.disable('etag');
  const refused = (requestId: string, status: number, reason: RefusalReason): void => {
    options.metrics.httpRefused(reason);
    options.logger.info({ requestId, status, reason }, 'request refused');
  };
  const requestIdOf = (req: http.IncomingMessage): string => requestIdFrom(typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : undefined);
  // Repeats of a cacheable POST are answered here, before Express and Apollo (src/http-cache/).
  const edgeCache = createEdgeCache({
    maxBytes: options.responseCacheMaxBytes,
    bodyLimitBytes: options.bodyLimitBytes,
    paths: ['/graphql', '/'],
    now: () => performance.now(),
    // Without the router's secret a request goes on to Express, which refuses it and logs why.
    admits: options.routerAuth ? carriesRouterSecret(options.routerAuth) : () => true,
    requestId: requestIdOf,
    onBadBody: (_req, res, requestId) => {
      res.setHeader('x-request-id', requestId);
      sendGraphQLError(res, 400, 'BAD_USER_INPUT', BAD_JSON_BODY_MESSAGE);
      refused(requestId, 400, 'bad_request_body');
    },
    onHit: edgeCacheRecorder(options),
  });
  options.metrics.watchEdgeCache(() => ({ entries: edgeCache.size, bytes: edgeCache.bytes }));
  const httpServer = http.createServer((req, res) => edgeCache.handle(req, res, app));
  // No request object exists for these, so no caller's x-request-id either: a fresh id names the log line.
  answerClientErrors(httpServer, (answer) => refused(requestIdFrom(undefined), answer.status, answer.reason));
  let ready = false;

  const callbacks = callbackSubscriptions<RequestContext>(options.logger);
  const plugins: ApolloServerPlugin<RequestContext>[] = [
    // Apollo's default grace (10 s) is shorter than the default request deadline (15 s): a slow
    // request still within its deadline would get an empty reply and no log line.
    ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.shutdownGraceMs }),
    loggingPlugin({ logger: options.logger, metrics: options.metrics }),
    // A subscription over HTTP only with the router's callback extension; before the callback plugin answers it.
    httpSubscriptionGuard<RequestContext>(),
    callbacks.plugin,
    ...(tracing.enabled ? [tracingPlugin()] : []),
    // Before the response cache's lookup: both run on didResolveOperation / responseForOperation, in that order.
    queryCostPlugin<RequestContext>(options.queryLimits.maxCost),
    // Whole responses of cacheable operations (every task in them has a max-age, no errors) are
    // kept in Apollo's bounded in-memory cache, so a dashboard's repeated poll skips execution.
    // Its own bounded cache, so response bytes cannot crowd out Apollo's other caches.
    ...(options.responseCacheMaxBytes > 0
      ? [responseCachePlugin({ cache: new InMemoryLRUCache({ maxSize: options.responseCacheMaxBytes, sizeCalculation: InMemoryLRUCache.sizeCalculation }) })]
      : []),
    options.exposeSchema ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
  ];
  const schema = buildSchema();
  const validationRules = [supportedOperationTypes, ...queryLimitRules(options.queryLimits), ...(options.exposeSchema ? [] : [noIntrospection])];
  const apollo = new ApolloServer<RequestContext>({
    schema,
    // Bounded by DOCUMENT_CACHE_MAX_BYTES rather than Apollo's 30 MiB default (src/config.ts says why).
    documentStore:
      options.documentCacheMaxBytes > 0
        ? new InMemoryLRUCache<DocumentNode>({ maxSize: options.documentCacheMaxBytes, sizeCalculation: InMemoryLRUCache.sizeCalculation })
        : null,
    // Our own rule below refuses it when the schema is hidden, with a message naming EXPOSE_SCHEMA.
    introspection: true,
    includeStacktraceInErrorResponses: options.includeStacktrace,
    formatError: createErrorFormatter({ includeStacktrace: options.includeStacktrace }),
    csrfPrevention: true,
    // index.ts owns signal handling: Apollo's own handler would race ours and re-raise the signal mid-drain.
    stopOnTerminationSignals: false,
    // Depth and aliases here; tokens in the parser, which stops at the limit instead of reading it all.
    validationRules,
    parseOptions: { maxTokens: options.queryLimits.maxTokens },
    // Federated tracing (ftv1) needs no plugin here: Apollo Server adds its inline-trace plugin itself for a
    // subgraph schema and answers with `extensions.ftv1` only when the router sends `apollo-federation-include-trace: ftv1`.
    plugins,
    logger: {
      debug: (message) => options.logger.debug(message),
      info: (message) => options.logger.info(message),
      warn: (message) => options.logger.warn(message),
      error: (message) => options.logger.error(message),
    },
  });
  await apollo.start();

  // Every response carries the request id its log line has, whoever answers it.
  app.use((req, res, next) => {
    const locals = res.locals as RequestLocals;
    locals.requestId = requestIdOf(req);
    res.setHeader('x-request-id', locals.requestId);
    next();
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', (_req, res) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  // Before router authentication: Prometheus scrapes it without the router's secret. It holds
  // counters, durations and operation names only, never a secret or a task payload.
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', options.metrics.registry.contentType);
    res.send(await options.metrics.registry.metrics());
  });

  // Before router authentication: a browser cannot add the router's header to a page load.
  // The page is static; the data it asks /graphql for still needs whatever /graphql requires.
  if (options.dashboard) app.use('/dashboard', dashboardRouter(options.dashboard));

  if (options.routerAuth) {
    const { secret, header } = options.routerAuth;
    app.use(
      routerAuthentication({
        secret,
        header,
        onRefused: (_reason, res) => refused((res.locals as RequestLocals).requestId, res.statusCode, 'unauthenticated'),
      }),
    );
  }

  // Names each request for the rate limiter's fair queue; the caller's x-request-id cannot,
  // since two requests may carry the same one.
  let requestSerial = 0;
  const newContext = (requestId: string, signal: AbortSignal, span?: TraceSpan, client?: string): RequestContext => {
    const deadline = (options.now ?? Date.now)() + options.requestDeadlineMs;
    // Every lookup of this request counts its upstream work here, for the request's log line.
    const telemetry = newRequestTelemetry(requestId);
    requestSerial += 1;
    const call = { deadline, tally: telemetry, signal, owner: `request-${requestSerial}`, ...(span && { span }) };
    return {
      requestId,
      telemetry,
      loaders: createTaskLoaders(options.sources, options.loaderOptions, call),
      limits: { maxTaskIds: options.maxTaskIds, maxEntityRepresentations: options.maxEntityRepresentations },
      taskMaxAge: options.taskMaxAge,
      deadline,
      signal,
      watches: options.watches,
      client: client ?? `request-${requestSerial}`,
      ...(span && { span }),
    };
  };
  const graphql = expressMiddleware(apollo, {
    context: async ({ req, res }): Promise<RequestContext> => {
      const locals = res.locals as RequestLocals;
      // A client that hangs up (or times out) before its answer is finished needs none of the work
      // still waiting or running for it: the signal stops the loaders' queued lookups, takes its calls
      // out of the rate-limit queue, ends retry waits and aborts provider requests (an in-flight call
      // shared with other requests only when they have all gone). 'close' also comes after a finished
      // response, which is left alone.
      const abandoned = new AbortController();
      // Every lookup in flight listens to it in each layer that waits (up to UPSTREAM_CONCURRENCY per
      // provider, times the layers) and lets go when it ends: many listeners here are no leak.
      setMaxListeners(0, abandoned.signal);
      if (res.closed) {
        abandoned.abort();
      } else {
        res.once('close', () => {
          if (!res.writableFinished) abandoned.abort();
        });
      }
      // The router's traceparent makes this request's span a child of its own (W3C Trace Context).
      const span = tracing.enabled ? requestSpan(tracing, req, res) : undefined;
      return newContext(locals.requestId, abandoned.signal, span);
    },
  });
  // GraphQL over WebSocket on the same paths, with the same schema, rules, limits and formatter.
  const ws = startWsTransport({
    httpServer,
    paths: ['/graphql', '/'],
    schema,
    validationRules,
    maxTokens: options.queryLimits.maxTokens,
    maxCost: options.queryLimits.maxCost,
    inputBounds: options.inputBounds,
    maxPayloadBytes: options.bodyLimitBytes,
    maxPerConnection: options.subscriptions.maxPerConnection,
    initTimeoutMs: options.subscriptions.initTimeoutMs,
    routerAuth: options.routerAuth,
    newContext: (signal, connection) => {
      const requestId = requestIdFrom(undefined);
      setMaxListeners(0, signal);
      return newContext(requestId, signal, undefined, connection);
    },
    formatError: createErrorFormatter({ includeStacktrace: options.includeStacktrace }),
    onUnauthenticated: () => options.metrics.httpRefused('unauthenticated'),
    logger: options.logger,
  });
  const json = express.json({ limit: options.bodyLimitBytes });
  // After the body parser (or the edge cache, which hands a miss on parsed) and before
  // Apollo, whose response cache and input coercion walk variables recursively.
  const inputBounds = inputBoundsMiddleware({
    bounds: options.inputBounds,
    onRefused: (refusal, res) =>
      refused((res.locals as RequestLocals).requestId, res.statusCode, refusal.limit === 'depth' ? 'input_too_deep' : 'input_too_large'),
  });
  app.use('/graphql', json, inputBounds, graphql);
  app.use(/^\/$/, json, inputBounds, graphql);

  // Body-parser failures (bad JSON, too large) answer in GraphQL's error shape instead of an HTML page.
  app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    const type = typeof error === 'object' && error !== null && 'type' in error ? String(error.type) : '';
    if (status >= 500) {
      options.logger.error({ requestId: (res.locals as RequestLocals).requestId, err: error }, 'unhandled HTTP error');
      sendGraphQLError(res, status, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      return;
    }
    const tooLarge = type === 'entity.too.large';
    sendGraphQLError(
      res,
      status,
      'BAD_USER_INPUT',
      tooLarge
        ? `Request body is larger than the limit of ${options.bodyLimitBytes} bytes (BODY_LIMIT_BYTES)`
        : BAD_JSON_BODY_MESSAGE,
    );
    refused((res.locals as RequestLocals).requestId, res.statusCode, tooLarge ? 'body_too_large' : 'bad_request_body');
  });

  return {
    httpServer,
    apollo,
    isReady: () => ready,
    listen: (port, host) =>
      new Promise<string>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          ready = true;
          const address = httpServer.address();
          const boundPort = typeof address === 'object' && address ? address.port : port;
          resolve(`http://${host && host !== '0.0.0.0' && host !== '::' ? host : 'localhost'}:${boundPort}/`);
        });
      }),
    stop: async () => {
      // Not ready first, listener still open: load balancers see 503 on /ready and stop sending;
      // requests that still arrive are served. Then Apollo's drain closes the listener, ends idle
      // keep-alive sockets and waits for in-flight requests (ApolloServerPluginDrainHttpServer).
      ready = false;
      if (options.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.shutdownDelayMs));
      // Subscriptions end cleanly first: each stream completes, so WebSocket clients get `complete`
      // and the router's callback URLs get `complete`; then the sockets close (1001 Going away),
      // which the HTTP drain would otherwise wait on, since upgraded sockets never go idle.
      // The router's callback subscriptions first, heartbeats stopped before their `complete`
      // (callback-transport.ts says why); then every stream that is left, WebSocket ones.
      await callbacks.drain();
      options.watches.close();
      await nextTurn();
      await ws.dispose();
      await apollo.stop();
    },
  };
}
