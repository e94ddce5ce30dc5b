/**
 * What one client may hold of the listener: a whole request (headers and body) must arrive within
 * HTTP_REQUEST_TIMEOUT_MS (Node's default is 300 s, so a body trickled a byte at a time held its
 * socket for minutes), and at most HTTP_MAX_CONNECTIONS sockets are open at once, WebSockets
 * included. An idle keep-alive socket is closed after Node's 5 s `keepAliveTimeout`.
 */
import type http from 'node:http';
import type { ServerConfig } from './options.js';

/** How often Node looks for requests past their timeout; its default (30 s) would add up to that much to each. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export function httpServerOptions(config: ServerConfig): http.ServerOptions {
  const timeoutMs = config.limits.httpRequestTimeoutMs;
  return {
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, timeoutMs),
  };
}

/** Node closes a connection past `maxConnections` as it arrives and emits `drop`: counted and logged like every refusal. */
export function bindConnections(httpServer: http.Server, config: ServerConfig, onDropped: () => void): void {
  httpServer.maxConnections = config.limits.httpMaxConnections;
  httpServer.on('drop', onDropped);
}
