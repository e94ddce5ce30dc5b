/**
 * Refusals made by the HTTP layer, before Apollo Server sees the request (router
 * authentication, body size, malformed JSON), answer in GraphQL's response shape so a
 * router or client reads them like any other GraphQL error.
 */
import type { Response } from 'express';

export function sendGraphQLError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}
