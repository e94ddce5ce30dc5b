/** Builds each operation's RequestContext (loaders, deadline, abort signal, span), for HTTP requests and WebSocket operations. */
import { setMaxListeners } from 'node:events';
import type http from 'node:http';
import type { ExpressContextFunctionArgument } from '@as-integrations/express5';
import type { RequestContext } from '../context.js';
import { createTaskLoaders } from '../loaders/task-loaders.js';
import { newRequestTelemetry, requestIdFrom } from '../observability/request-telemetry.js';
import type { TraceSpan, Tracing } from '../observability/tracing.js';
import { cachePolicy } from '../upstream/cache.js';
import type { ServerOptions } from './options.js';
import { requestIdOfResponse } from './request-id.js';

export type HttpContextFactory = (args: ExpressContextFunctionArgument) => Promise<RequestContext>;

export interface RequestContexts {
  readonly http: HttpContextFactory;
  /** A context per WebSocket operation, its signal aborted when the operation or its socket ends. */
  readonly socket: (signal: AbortSignal, connection: string) => RequestContext;
}

/** Ends when the response does (or the client goes away), with the status it got. */
function requestSpan(tracing: Tracing, req: http.IncomingMessage, res: http.ServerResponse): TraceSpan {
  const span = tracing.startRequest(
    'graphql request',
    (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    { 'http.request.method': req.method ?? '' },
  );
  const end = (): void => {
    span.setAttributes({ 'http.response.status_code': res.statusCode });
    if (res.statusCode >= 500) span.fail(String(res.statusCode));
    span.end();
  };
  if (res.closed) end();
  else res.once('close', end);
  return span;
}

/**
 * A client that hangs up (or times out) before its answer is finished needs none of the work
 * still waiting or running for it: the signal stops queued lookups, leaves the rate-limit queue,
 * ends retry waits and aborts provider calls. 'close' also follows a finished response, left alone.
 */
function abandonedSignal(res: http.ServerResponse): AbortSignal {
  const abandoned = new AbortController();
  // Every lookup in flight listens in each layer that waits and lets go when it ends: no leak.
  setMaxListeners(0, abandoned.signal);
  if (res.closed) abandoned.abort();
  else {
    res.once('close', () => {
      if (!res.writableFinished) abandoned.abort();
    });
  }
  return abandoned.signal;
}

export function requestContexts(options: ServerOptions, tracing: Tracing): RequestContexts {
  const { upstream, limits } = options.config;
  const now = options.now ?? Date.now;
  const loaderOptions = { concurrency: upstream.concurrency, maxBatchSize: upstream.maxBatchSize };
  const requestLimits = { maxTaskIds: limits.maxTaskIds, maxEntityRepresentations: limits.maxEntityRepresentations };
  // Hints follow the same TTLs as the cache, so downstream caches and this one agree on freshness.
  const taskMaxAge = {
    terminalSeconds: cachePolicy({ terminal: true }, upstream.cache).maxAgeSeconds,
    runningSeconds: cachePolicy({ terminal: false }, upstream.cache).maxAgeSeconds,
    now,
  };
  // Names each request for the rate limiter's fair queue; the caller's x-request-id cannot,
  // since two requests may carry the same one.
  let requestSerial = 0;
  const newContext = (requestId: string, signal: AbortSignal, span?: TraceSpan, client?: string): RequestContext => {
    const deadline = now() + upstream.requestDeadlineMs;
    // Every lookup of this request counts its upstream work here, for the request's log line.
    const telemetry = newRequestTelemetry(requestId);
    requestSerial += 1;
    const call = { deadline, tally: telemetry, signal, owner: `request-${requestSerial}`, ...(span && { span }) };
    return {
      requestId,
      telemetry,
      loaders: createTaskLoaders(options.sources, loaderOptions, call),
      limits: requestLimits,
      taskMaxAge,
      deadline,
      signal,
      watches: options.watches,
      // Subscriptions are charged to it: the socket, or this request (a callback subscription is one).
      client: client ?? `request-${requestSerial}`,
      ...(span && { span }),
    };
  };
  return {
    http: async ({ req, res }) => {
      const signal = abandonedSignal(res);
      // The router's traceparent makes this request's span a child of its own (W3C Trace Context).
      const span = tracing.enabled ? requestSpan(tracing, req, res) : undefined;
      return newContext(requestIdOfResponse(res), signal, span);
    },
    socket: (signal, connection) => {
      setMaxListeners(0, signal);
      return newContext(requestIdFrom(undefined), signal, undefined, connection);
    },
  };
}
