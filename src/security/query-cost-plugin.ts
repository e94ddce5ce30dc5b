/**
 * Refuses an operation over MAX_QUERY_COST (query-cost.ts) once Apollo has resolved it
 * and before anything executes or is looked up in the response cache. A refusal thrown
 * from didResolveOperation becomes the whole response: errors only, the HTTP status taken
 * from `extensions.http` (which Apollo strips from what it sends), one request log line
 * from the logging plugin like any other refused operation.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode } from 'graphql';
import { operationCost, queryCostMessage } from './query-cost.js';

export function queryCostPlugin<TContext extends object>(maxCost: number): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
          }
          const cost = operationCost({ operation, fragments, variables: request.variables });
          if (cost <= maxCost) return;
          throw new GraphQLError(queryCostMessage(cost, maxCost), {
            extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
          });
        },
      };
    },
  };
}
