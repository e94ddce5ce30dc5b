/**
 * POST and GET GraphQL over HTTP: body parsing, the operation check's input stage, then Apollo.
 * Body-parser failures (bad JSON, too large) answer in GraphQL's error shape, not an HTML page.
 */
import { expressMiddleware } from '@as-integrations/express5';
import type { ApolloServer } from '@apollo/server';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { RequestContext } from '../context.js';
import { BAD_JSON_BODY_MESSAGE, sendGraphQLError } from '../security/http-errors.js';
import { inputBoundsMiddleware } from '../security/input-bounds-middleware.js';
import type { OperationCheck } from '../security/operation-check.js';
import type { RecordRefusal } from './refusals.js';
import type { HttpContextFactory } from './request-context.js';
import { requestIdOfResponse } from './request-id.js';

export interface GraphQLRouteOptions {
  readonly apollo: ApolloServer<RequestContext>;
  readonly context: HttpContextFactory;
  readonly check: OperationCheck;
  readonly bodyLimitBytes: number;
  readonly refused: RecordRefusal;
}

export function graphqlRoute(options: GraphQLRouteOptions): RequestHandler[] {
  const json = express.json({ limit: options.bodyLimitBytes });
  // After the body parser (or the edge cache, which hands a miss on parsed) and before
  // Apollo, whose response cache and input coercion walk variables recursively.
  const inputBounds = inputBoundsMiddleware({
    check: options.check,
    onRefused: (refusal, res) =>
      options.refused(
        requestIdOfResponse(res),
        res.statusCode,
        refusal.limit === 'depth' ? 'input_too_deep' : 'input_too_large',
      ),
  });
  return [json, inputBounds, expressMiddleware(options.apollo, { context: options.context })];
}

export function bodyErrors(options: {
  readonly bodyLimitBytes: number;
  readonly refused: RecordRefusal;
  readonly logger: Logger;
}): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status =
      typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
        ? error.status
        : 500;
    const type = typeof error === 'object' && error !== null && 'type' in error ? String(error.type) : '';
    if (status >= 500) {
      options.logger.error({ requestId: requestIdOfResponse(res), err: error }, 'unhandled HTTP error');
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
    options.refused(requestIdOfResponse(res), res.statusCode, tooLarge ? 'body_too_large' : 'bad_request_body');
  };
}
