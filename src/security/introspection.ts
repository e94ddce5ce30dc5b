/**
 * Introspection off (NODE_ENV=production without EXPOSE_SCHEMA=true). Apollo's own rule,
 * which `introspection: false` would add, tells the caller to "pass introspection: true to
 * ApolloServer": advice for the code's author, not for whoever operates this subgraph,
 * whose switch is EXPOSE_SCHEMA. Same check, same GRAPHQL_VALIDATION_FAILED code, the
 * operator's words. Federation's `_service { sdl }` is not introspection and stays open.
 */
import { GraphQLError, type ValidationRule } from 'graphql';

export const INTROSPECTION_REFUSED_MESSAGE =
  'GraphQL introspection is not allowed here: the query contained __schema or __type. Set EXPOSE_SCHEMA=true on the subgraph to allow it';

export const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value !== '__schema' && node.name.value !== '__type') return;
    context.reportError(new GraphQLError(INTROSPECTION_REFUSED_MESSAGE, { nodes: [node] }));
  },
});
