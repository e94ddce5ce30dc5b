/**
 * Optional shared-secret authentication of the router. A subgraph is meant to be
 * reached only through the router; with SUBGRAPH_SHARED_SECRET set, the router proves
 * it is the caller by sending the secret in a header (Apollo Router: a `headers`
 * insert rule). Probes (/health, /ready) and /metrics are mounted before this
 * middleware, so orchestrators and Prometheus need no secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { sendGraphQLError } from './http-errors.js';

export interface RouterAuthOptions {
  readonly secret: string;
  /** Lower-case header name, e.g. `router-authorization`. */
  readonly header: string;
  /** Called once per refused request (metrics, logs). */
  readonly onRefused?: (reason: 'missing' | 'mismatch', res: Response) => void;
}

/**
 * Compares SHA-256 digests, which always have equal length, with timingSafeEqual:
 * the time taken reveals neither the secret's length nor how many leading bytes matched.
 */
export function secretMatches(presented: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(createHash('sha256').update(presented, 'utf8').digest(), expectedDigest);
}

/** True when the request carries the router's secret: for the edge cache, which answers before this middleware. */
export function carriesRouterSecret(options: Pick<RouterAuthOptions, 'secret' | 'header'>): (req: IncomingMessage) => boolean {
  const expectedDigest = createHash('sha256').update(options.secret, 'utf8').digest();
  return (req) => {
    const presented = req.headers[options.header];
    return typeof presented === 'string' && secretMatches(presented, expectedDigest);
  };
}

export function routerAuthentication(options: RouterAuthOptions): RequestHandler {
  const carriesSecret = carriesRouterSecret(options);
  return (req, res, next) => {
    if (carriesSecret(req)) {
      next();
      return;
    }
    const reason = req.headers[options.header] === undefined ? 'missing' : 'mismatch';
    sendGraphQLError(
      res,
      401,
      'UNAUTHENTICATED',
      reason === 'missing'
        ? `This subgraph accepts requests from the router only: the ${options.header} header is missing`
        : `This subgraph accepts requests from the router only: the ${options.header} header does not match`,
    );
    options.onRefused?.(reason, res);
  };
}
