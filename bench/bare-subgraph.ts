/**
 * The comparison server of measurements 2 and 4: the least a federation subgraph can be,
 * @apollo/subgraph's schema on Apollo Server's standalone HTTP server. No loaders, cache,
 * limits, auth, logging or metrics.
 *
 *   node dist/bench/bench/bare-subgraph.js --port N [--http standalone|express] [--ice-endpoint URL]
 *
 * - `imageTask` answers one constant task: the ceiling that the real subgraph's cached
 *   path is held against (measurement 4).
 * - `workflowTask` makes one signed ICE call with the project's own client, against the
 *   emulator at `--ice-endpoint`, and answers from it: the least any subgraph adds to a
 *   provider call on this machine (measurement 2).
 *
 * `standalone` (the default) is Apollo Server's own HTTP server, the bare baseline of the
 * issue; `express` mounts the same server the way src/server.ts does (Express 5, its JSON
 * body parser, @as-integrations/express5), to tell the HTTP framework's share of the gap
 * from the subgraph's own.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { IceClient } from '../src/providers/alibaba/client.js';
import { emulatorIceClient } from './emulator-clients.js';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    imageTask(taskId: ID!): ImageTask
    workflowTask(taskId: ID!): WorkflowTask
  }
  type ImageTask @key(fields: "taskId") { taskId: ID! status: String! state: String! }
  type WorkflowTask @key(fields: "taskId") { taskId: ID! status: String state: String }
`);

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    http: { type: 'string', default: 'standalone' },
    'ice-endpoint': { type: 'string' },
  },
});
const iceEndpoint = values['ice-endpoint'];
const ice: IceClient | null = iceEndpoint ? emulatorIceClient(iceEndpoint) : null;

const resolvers = {
  Query: {
    imageTask: (_parent: unknown, args: { taskId: string }) => ({
      taskId: args.taskId,
      status: 'FINISH',
      state: 'SUCCEEDED',
    }),
    workflowTask: async (_parent: unknown, args: { taskId: string }) => {
      if (!ice) throw new Error('start the bare subgraph with --ice-endpoint to answer workflowTask');
      const status = (await ice.getAIWorkflowTask(args.taskId)).body.WorkflowTask.Status ?? null;
      return { taskId: args.taskId, status, state: status === null ? null : status.toUpperCase() };
    },
  },
};

const port = Number(values.port);
const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }) });
if (values.http === 'express') {
  await server.start();
  const app = express();
  app.use('/', express.json(), expressMiddleware(server));
  await new Promise<void>((resolve) => http.createServer(app).listen(port, '127.0.0.1', resolve));
} else {
  await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
}
process.stdout.write(`bare subgraph (${values.http}) ready on port ${port}\n`);

const stop = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
