/** Every response carries the request id its log line has, whoever answers it: set by the first middleware. */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { requestIdFrom } from '../observability/request-telemetry.js';

interface RequestLocals {
  requestId: string;
}

/** The caller's `x-request-id` when usable, else a fresh one. */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return requestIdFrom(typeof header === 'string' ? header : undefined);
}

/** The id `useRequestId` gave this response's request. */
export function requestIdOfResponse(res: Response): string {
  return (res.locals as RequestLocals).requestId;
}

export function useRequestId(): RequestHandler {
  return (req, res, next) => {
    const locals = res.locals as RequestLocals;
    locals.requestId = requestIdOf(req);
    res.setHeader('x-request-id', locals.requestId);
    next();
  };
}
