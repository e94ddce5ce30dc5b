/** Repeats of a cacheable POST are answered in front of Express and Apollo (src/http-cache/). */
import type { Logger } from 'pino';
import { createEdgeCache, type EdgeCache } from '../http-cache/edge-cache.js';
import { edgeCacheRecorder } from '../observability/logging-plugin.js';
import type { Metrics } from '../observability/metrics.js';
import { BAD_JSON_BODY_MESSAGE, sendGraphQLError } from '../security/http-errors.js';
import type { OperationCheck } from '../security/operation-check.js';
import { requestHeaders } from '../security/router-auth.js';
import { GRAPHQL_PATHS, responseCacheMaxBytes, type ServerConfig } from './options.js';
import type { RecordRefusal } from './refusals.js';
import { requestIdOf } from './request-id.js';

export interface EdgeCachePartOptions {
  readonly config: ServerConfig;
  readonly check: OperationCheck;
  readonly refused: RecordRefusal;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

export function useEdgeCache({ config, check, refused, metrics, logger }: EdgeCachePartOptions): EdgeCache {
  const edgeCache = createEdgeCache({
    maxBytes: responseCacheMaxBytes(config.upstream),
    bodyLimitBytes: config.limits.bodyLimitBytes,
    paths: GRAPHQL_PATHS,
    now: () => performance.now(),
    // A caller the operation check refuses goes on to Express, which refuses it and logs why.
    admits: check.checksCaller ? (req) => check.caller(requestHeaders(req)) === null : () => true,
    requestId: requestIdOf,
    onBadBody: (_req, res, requestId) => {
      res.setHeader('x-request-id', requestId);
      sendGraphQLError(res, 400, 'BAD_USER_INPUT', BAD_JSON_BODY_MESSAGE);
      refused(requestId, 400, 'bad_request_body');
    },
    onHit: edgeCacheRecorder({ logger, metrics }),
  });
  metrics.watchEdgeCache(() => ({ entries: edgeCache.size, bytes: edgeCache.bytes }));
  return edgeCache;
}
