/**
 * Refusals made before Apollo sees the request, in GraphQL's response shape; written on Node's
 * own response, so the edge cache and Express middleware answer alike.
 */
import type { ServerResponse } from 'node:http';

export function sendGraphQLError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

export const BAD_JSON_BODY_MESSAGE = 'Request body is not valid JSON';
