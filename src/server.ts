/**
 * Builds the HTTP app and Apollo Server from injected parts; index.ts decides the port
 * and when to stop. Tests build it on port 0 with an emulator behind it.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import type { Logger } from 'pino';
import type { RequestContext } from './context.js';
import { createTaskLoaders, type TaskLoaderOptions, type TaskSources } from './loaders/task-loaders.js';
import type { TaskMaxAge } from './resolvers/cache-hints.js';
import { createErrorFormatter } from './resolvers/errors.js';
import { buildSchema } from './schema.js';

export interface ServerOptions {
  readonly sources: TaskSources;
  readonly loaderOptions: TaskLoaderOptions;
  readonly maxTaskIds: number;
  /** Cache-Control max-age by task state. */
  readonly taskMaxAge: TaskMaxAge;
  /** Sandbox landing page and introspection. */
  readonly exposeSchema: boolean;
  /** Stack traces in errors: only for local development. */
  readonly includeStacktrace: boolean;
  readonly bodyLimitBytes: number;
  readonly logger: Logger;
}

export interface SubgraphServer {
  readonly httpServer: http.Server;
  readonly apollo: ApolloServer<RequestContext>;
  /** Listen on loopback or all interfaces; resolves with the URL actually bound. */
  listen(port: number, host?: string): Promise<string>;
  /** Stops taking work, lets in-flight requests finish, then closes. */
  stop(): Promise<void>;
  readonly isReady: () => boolean;
}

export async function createSubgraphServer(options: ServerOptions): Promise<SubgraphServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let ready = false;

  const plugins: ApolloServerPlugin<RequestContext>[] = [
    ApolloServerPluginDrainHttpServer({ httpServer }),
    options.exposeSchema ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
  ];
  const apollo = new ApolloServer<RequestContext>({
    schema: buildSchema(),
    introspection: options.exposeSchema,
    includeStacktraceInErrorResponses: options.includeStacktrace,
    formatError: createErrorFormatter({ includeStacktrace: options.includeStacktrace }),
    csrfPrevention: true,
    plugins,
    logger: {
      debug: (message) => options.logger.debug(message),
      info: (message) => options.logger.info(message),
      warn: (message) => options.logger.warn(message),
      error: (message) => options.logger.error(message),
    },
  });
  await apollo.start();

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', (_req, res) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });

  const graphql = expressMiddleware(apollo, {
    context: async ({ req }): Promise<RequestContext> => ({
      requestId: req.get('x-request-id')?.slice(0, 128) || randomUUID(),
      loaders: createTaskLoaders(options.sources, options.loaderOptions),
      limits: { maxTaskIds: options.maxTaskIds },
      taskMaxAge: options.taskMaxAge,
    }),
  });
  const json = express.json({ limit: options.bodyLimitBytes });
  app.use('/graphql', json, graphql);
  app.use(/^\/$/, json, graphql);

  // Body-parser failures (bad JSON, too large) answer in GraphQL's error shape instead of an HTML page.
  app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    const type = typeof error === 'object' && error !== null && 'type' in error ? String(error.type) : '';
    const message =
      type === 'entity.too.large'
        ? `Request body is larger than the limit of ${options.bodyLimitBytes} bytes`
        : status < 500
          ? 'Request body is not valid JSON'
          : 'Internal server error';
    if (status >= 500) options.logger.error({ err: error }, 'unhandled HTTP error');
    res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR' } }] });
  });

  return {
    httpServer,
    apollo,
    isReady: () => ready,
    listen: (port, host) =>
      new Promise<string>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          ready = true;
          const address = httpServer.address();
          const boundPort = typeof address === 'object' && address ? address.port : port;
          resolve(`http://${host && host !== '0.0.0.0' && host !== '::' ? host : 'localhost'}:${boundPort}/`);
        });
      }),
    stop: async () => {
      ready = false;
      await apollo.stop();
    },
  };
}
