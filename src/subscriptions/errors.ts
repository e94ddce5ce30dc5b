/**
 * Errors that end a subscription. Both transports send them as they are built here: the
 * router's callback protocol (Apollo's plugin) serialises graphql-js results without Apollo's
 * formatError, so the public shape (code, provider, retryable, nothing internal) is given here,
 * with the same mapping as queries (resolvers/errors.ts).
 */
import { GraphQLError } from 'graphql';
import { ProviderError } from '../providers/errors.js';
import { providerErrorExtensions } from '../resolvers/errors.js';

export function subscriptionError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string') return error;
  if (error instanceof ProviderError)
    return new GraphQLError(error.message, { extensions: providerErrorExtensions(error) });
  // A bug here: details go to the log through the caller, never to the client.
  return new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** A limit on subscriptions was reached; the message names its variable. */
export function subscriptionLimitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'SUBSCRIPTION_LIMIT', retryable: true } });
}

/** SUBSCRIPTION_MAX_DURATION_MS passed before the task reached a terminal state: subscribe again to keep watching. */
export function subscriptionExpiredError(maxDurationMs: number): GraphQLError {
  return new GraphQLError(
    `The subscription ended after ${maxDurationMs} ms (SUBSCRIPTION_MAX_DURATION_MS) before the task reached a terminal state; subscribe again to keep watching`,
    { extensions: { code: 'SUBSCRIPTION_EXPIRED', retryable: true } },
  );
}
