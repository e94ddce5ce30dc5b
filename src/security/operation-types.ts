/**
 * Only operation types the schema has: this subgraph has no Mutation type, and graphql-js's own validation does not check for them (it fails later, in
 * execution, with an error that has no code and would be masked as INTERNAL_SERVER_ERROR,
 * which means "a bug here"). Refused during validation instead, as the caller's mistake.
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
