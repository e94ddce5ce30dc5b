/**
 * A subscription over plain HTTP is refused (BAD_USER_INPUT) unless it carries the router's callback
 * extension (`extensions.subscription`), and that extension is refused on a query. Apollo would
 * otherwise run such a subscription once as a query. Runs in didResolveOperation, before the callback plugin.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const HTTP_SUBSCRIPTION_MESSAGE =
  "A subscription cannot be served over a plain HTTP request: use WebSocket (graphql-transport-ws at /graphql) or Apollo Router's HTTP callback protocol (extensions.subscription)";

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
            throw refuse(
              `extensions.subscription (the router's callback protocol) is for subscriptions only, not a ${operation.operation}`,
            );
          }
        },
      };
    },
  };
}
