/**
 * Optional shared-secret authentication of the router (SUBGRAPH_SHARED_SECRET): the router
 * proves it is the caller by sending the secret in a header. One caller rule, run by the
 * operation check for HTTP requests, the edge cache and WebSocket handshakes alike.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface RouterSecret {
  readonly secret: string;
  /** Lower-case header name, e.g. `router-authorization`. */
  readonly header: string;
}

/** Reads what the caller presented under a name: a header, or a WebSocket `connection_init` parameter. */
export type CallerPresented = (name: string) => unknown;

/** Why a caller is refused before any operation of theirs is looked at. */
export interface CallerRefusal {
  /** The refusal's metric label. */
  readonly reason: 'unauthenticated' | 'origin_not_allowed';
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** A check on who calls, before any operation is read; null admits. */
export type CallerRule = (presented: CallerPresented) => CallerRefusal | null;

function digestOf(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Compares SHA-256 digests, which always have equal length, with timingSafeEqual:
 * the time taken reveals neither the secret's length nor how many leading bytes matched.
 */
export function secretMatches(presented: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digestOf(presented), expectedDigest);
}

export function routerSecretRule(options: RouterSecret): CallerRule {
  const expectedDigest = digestOf(options.secret);
  return (presented) => {
    const value = presented(options.header);
    if (typeof value === 'string' && secretMatches(value, expectedDigest)) return null;
    const problem = value === undefined ? 'is missing' : 'does not match';
    return {
      reason: 'unauthenticated',
      status: 401,
      code: 'UNAUTHENTICATED',
      message: `This subgraph accepts requests from the router only: the ${options.header} header ${problem}`,
    };
  };
}

/** What an HTTP request presents: its headers. */
export function requestHeaders(req: IncomingMessage): CallerPresented {
  return (name) => req.headers[name];
}

/** True when the request carries the router's secret. */
export function carriesRouterSecret(options: RouterSecret): (req: IncomingMessage) => boolean {
  const rule = routerSecretRule(options);
  return (req) => rule(requestHeaders(req)) === null;
}
