/**
 * GraphQL over WebSocket: the `graphql-transport-ws` protocol (the graphql-ws library) on the
 * HTTP server's GraphQL paths (`/graphql`, and `/` like HTTP), as Apollo Router's subgraph passthrough mode and browsers use it.
 * Queries sent over the socket work too.
 *
 * Nothing here bypasses what HTTP requests go through: the router secret (handshake header or
 * `connection_init` payload), the input bounds on `variables` and `extensions`, the token, depth,
 * alias and cost limits and the operation-type rule, and the one error formatter. Operations in
 * progress per connection are bounded, and a socket that never sends `connection_init` is closed.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  GraphQLError,
  Kind,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { RequestContext } from '../context.js';
import { checkInput, type InputBounds } from '../security/input-bounds.js';
import { operationCost, queryCostMessage } from '../security/query-cost.js';
import { tokenLimitRefusal } from '../security/query-limits.js';
import { secretMatches } from '../security/router-auth.js';
import { subscriptionLimitError } from './errors.js';

export interface WsTransportOptions {
  readonly httpServer: http.Server;
  /** Where GraphQL is served over HTTP too (`/graphql`, and `/`, where Sandbox derives its subscription URL from). */
  readonly paths: readonly string[];
  readonly schema: GraphQLSchema;
  /** The same rules Apollo validates HTTP operations with (beyond graphql-js's own). */
  readonly validationRules: readonly ValidationRule[];
  readonly maxTokens: number;
  readonly maxCost: number;
  readonly inputBounds: InputBounds;
  /** Largest WebSocket message, as BODY_LIMIT_BYTES bounds a POST body. */
  readonly maxPayloadBytes: number;
  readonly maxPerConnection: number;
  readonly initTimeoutMs: number;
  readonly routerAuth: { readonly secret: string; readonly header: string } | null;
  /** A context per operation, as Express builds one per request; `connection` names the socket its subscriptions are charged to. */
  readonly newContext: (signal: AbortSignal, connection: string) => RequestContext;
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  readonly onUnauthenticated: () => void;
  readonly logger: Logger;
}

export interface WsTransport {
  /** Closes every socket (1001 Going away) and the WebSocket server. */
  dispose(): Promise<void>;
}

/** What graphql-ws's ws adapter puts in each connection's `extra` (a type, not an interface, to satisfy its Record bound). */
type SocketExtra = { readonly request: http.IncomingMessage };

function coded(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** As Apollo labels them, so WebSocket and HTTP callers read the same codes. */
function parseOrError(query: unknown, maxTokens: number): DocumentNode | GraphQLError {
  if (typeof query !== 'string') return coded('The query must be a string', 'BAD_USER_INPUT');
  try {
    return parse(query, { maxTokens });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const refusal = tokenLimitRefusal({ message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    return refusal ? coded(refusal.message, 'BAD_USER_INPUT') : coded(message, 'GRAPHQL_PARSE_FAILED');
  }
}

export function startWsTransport(options: WsTransportOptions): WsTransport {
  // noServer: ws's own `path` option takes one path; upgrades are routed here instead.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!options.paths.includes(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wsServer.handleUpgrade(request, socket, head, (webSocket) => wsServer.emit('connection', webSocket, request));
  };
  options.httpServer.on('upgrade', onUpgrade);
  const secretDigest = options.routerAuth ? createHash('sha256').update(options.routerAuth.secret, 'utf8').digest() : null;
  const rules = [...specifiedRules, ...options.validationRules];
  // One abort per operation, so a socket that goes away stops its queries' provider work too;
  // and what its log line needs when it ends.
  interface Operation {
    readonly controller: AbortController;
    readonly requestId: string;
    readonly operationType: string;
    readonly operationName: string | null;
    readonly startedAt: number;
  }
  const operations = new WeakMap<object, Map<string, Operation>>();
  const connections = new WeakMap<object, string>();
  let connectionSerial = 0;
  const connectionOf = (ctx: object): string => {
    let name = connections.get(ctx);
    if (name === undefined) connections.set(ctx, (name = `ws-${(connectionSerial += 1)}`));
    return name;
  };

  const server = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      connectionInitWaitTimeout: options.initTimeoutMs,
      onConnect: (ctx) => {
        if (!options.routerAuth || !secretDigest) return true;
        const header = ctx.extra.request.headers[options.routerAuth.header];
        const fromInit = ctx.connectionParams?.[options.routerAuth.header];
        const presented = typeof header === 'string' ? header : typeof fromInit === 'string' ? fromInit : undefined;
        if (presented !== undefined && secretMatches(presented, secretDigest)) return true;
        options.onUnauthenticated();
        options.logger.info({ transport: 'websocket', reason: 'unauthenticated' }, 'request refused');
        // graphql-ws closes the socket with 4403 Forbidden.
        return false;
      },
      onSubscribe: (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > options.maxPerConnection) {
          return [
            subscriptionLimitError(
              `This connection already has ${options.maxPerConnection} operations in progress, the most it may (SUBSCRIPTION_MAX_PER_CONNECTION); complete one or open another connection`,
            ),
          ];
        }
        const refusal = checkInput({ variables: payload.variables ?? undefined, extensions: payload.extensions ?? undefined }, options.inputBounds);
        if (refusal) return [coded(refusal.message, 'BAD_USER_INPUT')];
        const document = parseOrError(payload.query, options.maxTokens);
        if (document instanceof GraphQLError) return [document];
        const validationErrors = validate(options.schema, document, rules);
        if (validationErrors.length > 0) {
          return validationErrors.map((error) =>
            typeof error.extensions.code === 'string' ? error : new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
          );
        }
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (!operation) return [coded('Unable to identify the operation to run: name it with operationName', 'BAD_USER_INPUT')];
        const fragments = new Map<string, FragmentDefinitionNode>();
        for (const definition of document.definitions) {
          if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
        }
        const cost = operationCost({ operation, fragments, variables: payload.variables ?? undefined });
        if (cost > options.maxCost) return [coded(queryCostMessage(cost, options.maxCost), 'BAD_USER_INPUT')];
        const controller = new AbortController();
        const contextValue = options.newContext(controller.signal, connectionOf(ctx));
        const perSocket = operations.get(ctx) ?? new Map<string, Operation>();
        operations.set(ctx, perSocket);
        perSocket.set(id, {
          controller,
          requestId: contextValue.requestId,
          operationType: operation.operation,
          operationName: operation.name?.value ?? null,
          startedAt: performance.now(),
        });
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName ?? undefined,
          variableValues: payload.variables ?? undefined,
          contextValue,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return undefined;
        return { ...result, errors: result.errors.map((error) => options.formatError(error.toJSON(), error)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => options.formatError(error.toJSON(), error)),
      onComplete: (ctx, id) => {
        const perSocket = operations.get(ctx);
        const ended = perSocket?.get(id);
        perSocket?.delete(id);
        if (!ended) return;
        ended.controller.abort();
        // One line per operation, as HTTP requests get; variables and results are never logged.
        options.logger.info(
          {
            requestId: ended.requestId,
            transport: 'websocket',
            operationType: ended.operationType,
            operationName: ended.operationName,
            durationMs: Math.round(performance.now() - ended.startedAt),
          },
          'graphql operation ended',
        );
      },
      onClose: (ctx) => {
        for (const operation of operations.get(ctx)?.values() ?? []) operation.controller.abort();
        operations.delete(ctx);
      },
    },
    wsServer,
  );

  // stop() may run twice (SIGTERM, then a test's own stop); ws refuses to close a closed server.
  let disposing: Promise<void> | null = null;
  return {
    dispose: () => {
      options.httpServer.off('upgrade', onUpgrade);
      return (disposing ??= Promise.resolve(server.dispose()).catch((error: unknown) => {
        options.logger.debug({ err: error }, 'WebSocket server already closed');
      }));
    },
  };
}
