/**
 * Names the request's span by its operation once Apollo has resolved it, and counts the errors
 * the response carries by code. Only installed when tracing is on. The document and variables
 * never go on a span: they can hold task ids of other tenants and signed URLs.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../context.js';
import { GRAPHQL_NAME } from './graphql-name.js';

export function tracingPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const { span } = contextValue;
      if (span === undefined) return;
      return {
        async didResolveOperation({ operationName, operation }) {
          span.setAttributes({
            ...(operation && { 'graphql.operation.type': operation.operation }),
            ...(operationName && GRAPHQL_NAME.test(operationName) && { 'graphql.operation.name': operationName }),
          });
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          if (errors.length === 0) return;
          const codes = [
            ...new Set(
              errors.map((error) => (typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN')),
            ),
          ].sort();
          span.setAttributes({ 'graphql.errors': errors.length, 'graphql.error.codes': codes.join(',') });
        },
      };
    },
  };
}
