/**
 * Express step between the body parser and Apollo: runs the operation check's input stage on
 * `variables` and `extensions` from a POST body (parsed by Express, or by the edge cache on a
 * miss) or from a GET query string (which Apollo would JSON.parse itself further on).
 */
import type { RequestHandler, Response } from 'express';
import { BOUNDED_PARTS, type BoundedPart, type InputRefusal } from './input-bounds.js';
import { sendGraphQLError } from './http-errors.js';
import type { OperationCheck } from './operation-check.js';

export interface InputBoundsMiddlewareOptions {
  readonly check: Pick<OperationCheck, 'input'>;
  /** Called once per refused request (metrics, logs), after the answer was sent. */
  readonly onRefused: (refusal: InputRefusal, res: Response) => void;
}

type Parts = Partial<Record<BoundedPart, unknown>>;

function bodyParts(body: unknown): Parts {
  // A batched (array) or non-object body is Apollo's to refuse; it walks no variables then.
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const record = body as Record<string, unknown>;
  return { variables: record['variables'], extensions: record['extensions'] };
}

/**
 * As Apollo reads a GET: each part is JSON in a parameter given once. A parameter that is
 * repeated or is not JSON is left for Apollo to refuse (400), so nothing is walked twice.
 */
function queryStringParts(url: string): Parts {
  const params = new URL(url, 'http://localhost').searchParams;
  const parts: Parts = {};
  for (const part of BOUNDED_PARTS) {
    const given = params.getAll(part);
    if (given.length !== 1) continue;
    try {
      parts[part] = JSON.parse(given[0]!) as unknown;
    } catch {
      // Not JSON: Apollo answers it with BAD_REQUEST.
    }
  }
  return parts;
}

export function inputBoundsMiddleware(options: InputBoundsMiddlewareOptions): RequestHandler {
  return (req, res, next) => {
    const parts =
      req.method === 'GET' || req.method === 'HEAD' ? queryStringParts(req.originalUrl) : bodyParts(req.body);
    const refusal = options.check.input(parts);
    if (refusal === null) {
      next();
      return;
    }
    sendGraphQLError(res, 400, 'BAD_USER_INPUT', refusal.message);
    options.onRefused(refusal, res);
  };
}
