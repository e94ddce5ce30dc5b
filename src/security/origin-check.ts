/**
 * Browser requests only from the subgraph's own origin and the allowed ones
 * (WEBSOCKET_ALLOWED_ORIGINS): a caller rule on the `Origin` header, so WebSocket upgrades
 * (which no CORS protects: any page may open one and read what it answers) and HTTP requests
 * meet the same rule. A request without `Origin` (the router, server-side clients) passes.
 */
import type { CallerRule } from './router-auth.js';

/**
 * "Own origin" is the host the browser asked for: the `Origin`'s host and port equal `Host`.
 * The scheme is not compared: behind a TLS-terminating proxy the page is https, this hop http.
 */
function sameHost(origin: URL, host: unknown): boolean {
  return typeof host === 'string' && origin.host === host.toLowerCase();
}

function parsedOrigin(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

export function originRule(allowedOrigins: readonly string[]): CallerRule {
  const allowed = new Set(allowedOrigins);
  return (presented) => {
    const value = presented('origin');
    if (value === undefined) return null;
    const origin = typeof value === 'string' ? parsedOrigin(value) : null;
    // `Origin: null` (a sandboxed frame, a file: page) parses to no usable origin and is refused.
    if (
      origin &&
      (origin.protocol === 'http:' || origin.protocol === 'https:') &&
      (allowed.has(origin.origin) || sameHost(origin, presented('host')))
    )
      return null;
    return {
      reason: 'origin_not_allowed',
      status: 403,
      code: 'ORIGIN_NOT_ALLOWED',
      message: "Browser requests are accepted from this subgraph's own origin and from WEBSOCKET_ALLOWED_ORIGINS only",
    };
  };
}
