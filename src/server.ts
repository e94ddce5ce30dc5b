/**
 * The HTTP app as the ordered list of what a request meets, each part a module of src/server/
 * (or of the concern it belongs to). index.ts decides the port and when to stop; tests build it
 * on port 0 through startApp, with an emulator behind it.
 */
import http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import express from 'express';
import type { RequestContext } from './context.js';
import { dashboardRouter } from './dashboard/routes.js';
import { requestIdFrom } from './observability/request-telemetry.js';
import { noTracing } from './observability/tracing.js';
import { createErrorFormatter } from './resolvers/errors.js';
import { buildSchema } from './schema.js';
import { answerClientErrors } from './security/client-errors.js';
import { createOperationCheck } from './security/operation-check.js';
import { responseCacheFor, startApollo } from './server/apollo.js';
import { useCallerCheck } from './server/caller-check.js';
import { useEdgeCache } from './server/edge-cache.js';
import { bodyErrors, graphqlRoute } from './server/graphql-route.js';
import { bindConnections, httpServerOptions } from './server/connections.js';
import { listenOn } from './server/listen.js';
import { GRAPHQL_PATHS, includeStacktrace, operationCheckOptions, type ServerOptions } from './server/options.js';
import { createReadiness, probes } from './server/probes.js';
import { refusalRecorder } from './server/refusals.js';
import { requestContexts } from './server/request-context.js';
import { useRequestId } from './server/request-id.js';
import { shutdownSequence } from './server/shutdown.js';
import { callbackSubscriptions } from './subscriptions/callback-transport.js';
import { startWsTransport } from './subscriptions/ws-transport.js';

export type { ServerOptions } from './server/options.js';

export interface SubgraphServer {
  readonly httpServer: http.Server;
  readonly apollo: ApolloServer<RequestContext>;
  /** Listen on loopback or all interfaces; resolves with the URL actually bound. */
  listen(port: number, host?: string): Promise<string>;
  /** /ready turns 503, then after `shutdownDelayMs` the listener closes and in-flight requests finish. */
  stop(): Promise<void>;
  readonly isReady: () => boolean;
  /** Drops every cached whole response (edge cache and Apollo's), for a task that changed under them. */
  forgetCachedResponses(): void;
}

export async function createSubgraphServer(options: ServerOptions): Promise<SubgraphServer> {
  const { config, metrics, logger } = options;
  const tracing = options.tracing ?? noTracing;
  const refused = refusalRecorder(metrics, logger);
  // Input bounds, parse, validation, limits and the router secret: one check for HTTP and WebSocket alike.
  const check = createOperationCheck({ schema: buildSchema(), ...operationCheckOptions(config) });
  const readiness = createReadiness(options.ready);
  const app = express();
  app.disable('x-powered-by');
  // An ETag is a hash of every response body; no GraphQL client here revalidates with one.
  app.disable('etag');

  // 1. The edge cache, in front of Express: repeats of a cacheable POST end here.
  const edgeCache = useEdgeCache({ config, check, refused, metrics, logger });
  const httpServer = http.createServer(httpServerOptions(config), (req, res) => edgeCache.handle(req, res, app));
  bindConnections(httpServer, config, () => refused(requestIdFrom(undefined), 503, 'connection_limit'));
  // What Node's HTTP parser refuses has no request object, so no caller's x-request-id: a fresh one names the line.
  answerClientErrors(httpServer, (answer) => refused(requestIdFrom(undefined), answer.status, answer.reason));
  const callbacks = callbackSubscriptions<RequestContext>({
    policy: { allowedPrefixes: config.subscriptions.callbackUrls },
    timeoutMs: config.subscriptions.callbackTimeoutMs,
    drainBudgetMs: config.shutdownGraceMs,
    hasRoom: () => options.watches.hasRoom(),
    onRefused: (reason) => metrics.httpRefused(reason),
    logger,
  });
  const formatError = createErrorFormatter({ includeStacktrace: includeStacktrace(config) });
  const responseCache = responseCacheFor(config);
  const apollo = await startApollo({
    httpServer,
    check,
    callbacks,
    formatError,
    responseCache,
    config,
    metrics,
    logger,
    tracing,
  });
  const contexts = requestContexts(options, tracing);

  // 2. The request id every response carries.
  app.use(useRequestId());
  // 3. Probes and /metrics, before router authentication.
  app.use(probes(readiness, metrics));
  // 4. The dashboard, before router authentication: a browser cannot add the router's header to a
  // page load; the data the page asks /graphql for still needs whatever /graphql requires.
  if (options.dashboard) app.use('/dashboard', dashboardRouter(options.dashboard));
  // 5. Router authentication: the operation check's caller stage.
  if (check.checksCaller) app.use(useCallerCheck(check, refused));
  // 6 and 7. Body parsing and input bounds, then Apollo with its plugins (server/apollo.ts).
  const graphql = graphqlRoute({
    apollo,
    context: contexts.http,
    check,
    bodyLimitBytes: config.limits.bodyLimitBytes,
    refused,
  });
  app.use('/graphql', ...graphql);
  app.use(/^\/$/, ...graphql);
  app.use(bodyErrors({ bodyLimitBytes: config.limits.bodyLimitBytes, refused, logger }));
  // 8. GraphQL over WebSocket on the same paths, through the same check and error formatter.
  const ws = startWsTransport({
    httpServer,
    paths: GRAPHQL_PATHS,
    check,
    maxPayloadBytes: config.limits.bodyLimitBytes,
    maxPerConnection: config.subscriptions.maxPerConnection,
    maxConnections: config.subscriptions.maxConnections,
    maxBufferedBytes: config.subscriptions.maxBufferedBytes,
    readTimeoutMs: config.subscriptions.readTimeoutMs,
    initTimeoutMs: config.subscriptions.initTimeoutMs,
    newContext: contexts.socket,
    formatError,
    onRefused: (reason) => metrics.httpRefused(reason),
    logger,
  });

  return {
    httpServer,
    apollo,
    isReady: readiness.isReady,
    forgetCachedResponses: () => {
      edgeCache.clear();
      responseCache?.clear();
    },
    listen: listenOn(httpServer, () => readiness.mark(true)),
    stop: shutdownSequence({
      markNotReady: () => readiness.mark(false),
      delayMs: config.shutdownDelayMs,
      callbacks,
      watches: options.watches,
      ws,
      apollo,
    }),
  };
}
