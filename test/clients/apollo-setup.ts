/**
 * The Apollo Client setup docs/clients.md shows: everything after this comment is the page's
 * code block, character for character (test/clients/apollo-client.test.ts checks it).
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type TypePolicies } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

// Apollo Client 4 accepts a default errorPolicy once it is declared, and then types `data` by it.
declare module '@apollo/client' {
  namespace ApolloClient {
    namespace DeclareDefaultOptions {
      interface WatchQuery {
        errorPolicy: 'all';
      }
      interface Query {
        errorPolicy: 'all';
      }
    }
  }
}

/**
 * For queries that select `id` (the same value as `taskId`): the default cache already stores
 * each task once, as `ImageTask:<id>`; these read policies answer `imageTask(taskId:)` and
 * `workflowTask(taskId:)` from a task that any other query or subscription brought in.
 */
export const byId: TypePolicies = {
  Query: {
    fields: {
      imageTask: { read: (_, { args, toReference }) => toReference({ __typename: 'ImageTask', id: args?.['taskId'] }) },
      workflowTask: {
        read: (_, { args, toReference }) => toReference({ __typename: 'WorkflowTask', id: args?.['taskId'] }),
      },
    },
  },
};

/** For queries that select only `taskId`: key the tasks by it, and redirect the same way. */
export const byTaskId: TypePolicies = {
  ImageTask: { keyFields: ['taskId'] },
  WorkflowTask: { keyFields: ['taskId'] },
  Query: {
    fields: {
      imageTask: {
        read: (_, { args, toReference }) => toReference({ __typename: 'ImageTask', taskId: args?.['taskId'] }),
      },
      workflowTask: {
        read: (_, { args, toReference }) => toReference({ __typename: 'WorkflowTask', taskId: args?.['taskId'] }),
      },
    },
  },
};

/** `httpUrl` is the subgraph's GraphQL URL, e.g. `http://localhost:4001/graphql`, or a gateway's that serves graphql-ws. */
export function createMediaTaskClient(httpUrl: string, typePolicies: TypePolicies = byId): ApolloClient {
  // Node 20 has no global WebSocket, so graphql-ws needs the `ws` package's (browsers have their own).
  const subscriptions = new GraphQLWsLink(
    createClient({ url: httpUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket }),
  );
  return new ApolloClient({
    link: ApolloLink.split(
      (operation) => operation.operationType === 'subscription',
      subscriptions,
      new HttpLink({ uri: httpUrl }),
    ),
    cache: new InMemoryCache({ typePolicies }),
    // One task that failed (NOT_FOUND, RATE_LIMITED, ...) is a null entry with an error at its
    // index; the default policy ('none') would throw the other tasks away with it.
    defaultOptions: { watchQuery: { errorPolicy: 'all' }, query: { errorPolicy: 'all' } },
  });
}
