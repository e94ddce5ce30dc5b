/**
 * The comparison server of measurement 4: the least a federation subgraph can be,
 * @apollo/subgraph's schema on Apollo Server's standalone HTTP server, answering one
 * constant task. No loaders, cache, limits, auth, logging or metrics: the ceiling that
 * the real subgraph's cached path is held against.
 *
 *   node dist/bench/bench/bare-subgraph.js --port N [--http standalone|express]
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

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { imageTask(taskId: ID!): ImageTask }
  type ImageTask @key(fields: "taskId") { taskId: ID! status: String! state: String! }
`);

const resolvers = {
  Query: {
    imageTask: (_parent: unknown, args: { taskId: string }) => ({ taskId: args.taskId, status: 'FINISH', state: 'SUCCEEDED' }),
  },
};

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, http: { type: 'string', default: 'standalone' } } });
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
