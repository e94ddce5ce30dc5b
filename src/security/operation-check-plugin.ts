/**
 * Runs the operation check's rules on a resolved operation (cost, ...) inside Apollo's pipeline,
 * once the operation is resolved and before anything executes or is looked up in the response
 * cache. A refusal thrown here becomes the whole response, its HTTP status from `extensions.http`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { OperationCheck } from './operation-check.js';

export function operationCheckPlugin<TContext extends object>(check: OperationCheck): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const refusal = check.operation({
            document,
            operation,
            variables: request.variables,
            extensions: request.extensions,
          });
          if (!refusal) return;
          throw new GraphQLError(refusal.message, { extensions: { ...refusal.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}
