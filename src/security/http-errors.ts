/**
 * Refusals made by the HTTP layer, before Apollo Server sees the request (router
 * authentication, body size, malformed JSON), answer in GraphQL's response shape so a
 * router or client reads them like any other GraphQL error. Written on Node's own
 * response, so the edge cache (in front of Express) and Express middleware answer alike.
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
