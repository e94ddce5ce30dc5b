/**
 * A second, tiny subgraph for federation tests: it owns `Job` and returns task
 * references by id only, so every task field must come from our subgraph.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';

export const JOBS_TYPEDEFS: DocumentNode = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Job @key(fields: "id") {
    id: ID!
    imageTask: ImageTask
    workflowTask: WorkflowTask
  }

  type ImageTask @key(fields: "taskId", resolvable: false) {
    taskId: ID!
  }

  type WorkflowTask @key(fields: "taskId", resolvable: false) {
    taskId: ID!
  }

  type Query {
    jobs: [Job!]!
  }
`);

export interface JobRow {
  readonly id: string;
  readonly imageTaskId: string | null;
  readonly workflowTaskId: string | null;
}

export async function startJobsSubgraph(jobs: readonly JobRow[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: JOBS_TYPEDEFS,
      resolvers: {
        Query: { jobs: () => jobs },
        Job: {
          imageTask: (job: JobRow) => (job.imageTaskId ? { __typename: 'ImageTask', taskId: job.imageTaskId } : null),
          workflowTask: (job: JobRow) =>
            job.workflowTaskId ? { __typename: 'WorkflowTask', taskId: job.workflowTaskId } : null,
        },
      },
    }),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}
