/**
 * Subscriptions over HTTP only through Apollo Router's callback protocol: a POST carrying
 * `extensions.subscription` (callbackUrl, subscriptionId, verifier) is served by the callback
 * plugin (src/subscriptions/callback-transport.ts). Without it Apollo would run the subscription
 * as if it were a query, once, with no event to resolve, so it is refused as the caller's
 * mistake, naming the two ways that work. The callback extension on a query or mutation is refused too:
 * the plugin would answer it with `data: null` and try to subscribe to it.
 *
 * In didResolveOperation, so it runs before the callback plugin's responseForOperation.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const HTTP_SUBSCRIPTION_MESSAGE =
  'A subscription cannot be served over a plain HTTP request: use WebSocket (graphql-transport-ws at /graphql) or Apollo Router\'s HTTP callback protocol (extensions.subscription)';

function refuse(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

export function httpSubscriptionGuard<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ request }) {
      const callback = request.extensions?.['subscription'] !== undefined;
      return {
        async didResolveOperation({ operation }) {
          if (!operation) return;
          if (operation.operation === 'subscription' && !callback) throw refuse(HTTP_SUBSCRIPTION_MESSAGE);
          if (operation.operation !== 'subscription' && callback) {
            throw refuse(`extensions.subscription (the router's callback protocol) is for subscriptions only, not a ${operation.operation}`);
          }
        },
      };
    },
  };
}
