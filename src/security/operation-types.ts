/**
 * Only operation types the schema has (no Mutation here): graphql-js does not validate this and
 * would fail in execution with a codeless INTERNAL_SERVER_ERROR; refused as the caller's mistake.
 */
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

export const supportedOperationTypes: ValidationRule = (context: ValidationContext) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(
      new GraphQLError(`This subgraph has no ${node.operation} type; only queries and subscriptions are supported`, {
        nodes: [node],
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    );
  },
});
