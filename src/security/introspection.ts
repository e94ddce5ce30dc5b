/**
 * Introspection off (EXPOSE_SCHEMA unset in production): Apollo's own rule, same code
 * (GRAPHQL_VALIDATION_FAILED), with a message naming the operator's switch. `_service { sdl }` stays open.
 */
import { GraphQLError, type ValidationRule } from 'graphql';

export const INTROSPECTION_REFUSED_MESSAGE =
  'GraphQL introspection is not allowed here: the query contained __schema or __type. Set EXPOSE_SCHEMA=true on the subgraph to allow it';

/** The fields that introspect: exempt from depth and cost (they never reach a provider), refused when the schema is hidden. */
export const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type']);

export const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (!INTROSPECTION_FIELDS.has(node.name.value)) return;
    context.reportError(new GraphQLError(INTROSPECTION_REFUSED_MESSAGE, { nodes: [node] }));
  },
});
