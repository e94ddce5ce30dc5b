/** The operation check's caller stage (router secret) for every HTTP route mounted after it. */
import type { RequestHandler } from 'express';
import { sendGraphQLError } from '../security/http-errors.js';
import type { OperationCheck } from '../security/operation-check.js';
import { requestHeaders } from '../security/router-auth.js';
import type { RecordRefusal } from './refusals.js';
import { requestIdOfResponse } from './request-id.js';

export function useCallerCheck(check: OperationCheck, refused: RecordRefusal): RequestHandler {
  return (req, res, next) => {
    const refusal = check.caller(requestHeaders(req));
    if (refusal === null) {
      next();
      return;
    }
    sendGraphQLError(res, refusal.status, refusal.code, refusal.message);
    refused(requestIdOfResponse(res), res.statusCode, refusal.reason);
  };
}
