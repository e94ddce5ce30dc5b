/**
 * GraphQL over WebSocket (`graphql-transport-ws`, the graphql-ws library) on the GraphQL paths,
 * as Apollo Router's passthrough mode and browsers use it. The handshake runs the operation
 * check's caller stage, each operation the rest of it (security/operation-check.ts); operations
 * in progress per connection are bounded, and a socket that never sends `connection_init` is closed.
 * Connections are bounded process-wide. A socket starts one operation per event-loop turn, each
 * only once its client has read all but its allowance of output; a client that does not read
 * within its time, or whose unsent output passes the allowance when a message is due, is closed 1008.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Context, ExecutionResult, SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { RequestContext } from '../context.js';
import type { RefusalReason } from '../observability/metrics.js';
import type { OperationCheck } from '../security/operation-check.js';
import type { CallerPresented } from '../security/router-auth.js';
import { subscriptionLimitError } from './errors.js';
import { ReadSocket } from './read-socket.js';

export interface WsTransportOptions {
  readonly httpServer: http.Server;
  /** Where GraphQL is served over HTTP too. */
  readonly paths: readonly string[];
  /** The same check HTTP operations pass; its schema is the one executed. */
  readonly check: OperationCheck;
  /** Largest WebSocket message, as BODY_LIMIT_BYTES bounds a POST body. */
  readonly maxPayloadBytes: number;
  readonly maxPerConnection: number;
  /** WebSocket connections open at once (WEBSOCKET_MAX_CONNECTIONS); one more upgrade is answered 503. */
  readonly maxConnections: number;
  /** Output a client may leave unread before its operations wait for it to read (WEBSOCKET_MAX_BUFFERED_BYTES). */
  readonly maxBufferedBytes: number;
  /** How long they wait before the socket is closed as a slow reader (WEBSOCKET_READ_TIMEOUT_MS). */
  readonly readTimeoutMs: number;
  readonly initTimeoutMs: number;
  /** A context per operation, as Express builds one per request; `connection` names the socket its subscriptions are charged to. */
  readonly newContext: (signal: AbortSignal, connection: string) => RequestContext;
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** A handshake the caller stage refused (graphql-ws then closes the socket with 4403 Forbidden), an upgrade over the cap, a slow reader closed: metrics. */
  readonly onRefused: (reason: RefusalReason) => void;
  readonly logger: Logger;
}

export interface WsTransport {
  /** Closes every socket (1001 Going away) and the WebSocket server. */
  dispose(): Promise<void>;
}

/** What graphql-ws's ws adapter puts in each connection's `extra` (a type, not an interface, to satisfy its Record bound). */
type SocketExtra = { readonly socket: ReadSocket; readonly request: http.IncomingMessage };

/** How long a slow reader closed 1008 has to take its close frame (behind what it left unread) before it is cut. */
const SLOW_READER_CLOSE_GRACE_MS = 1_000;

/** A handshake header, else the same name in the `connection_init` payload. */
function handshakePresented(
  request: http.IncomingMessage,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
): CallerPresented {
  return (name) => {
    const header = request.headers[name];
    return typeof header === 'string' ? header : connectionParams?.[name];
  };
}

/** One abort per operation, so a socket that goes away stops its queries' provider work too; and what its log line needs. */
interface Operation {
  readonly controller: AbortController;
  readonly requestId: string;
  readonly operationType: string;
  readonly operationName: string | null;
  readonly startedAt: number;
}

type ServerHooks = Parameters<typeof useServer<Record<string, unknown> | undefined, SocketExtra>>[0];
type SocketContext = Context<Record<string, unknown> | undefined, SocketExtra>;

/** What the hooks of one transport keep across its connections and operations. */
interface HookState {
  readonly options: WsTransportOptions;
  /** Per connection, its operations in progress by id. */
  readonly operations: WeakMap<object, Map<string, Operation>>;
  /** Per connection, the name its subscriptions are charged to. */
  readonly connections: WeakMap<object, string>;
  connectionSerial: number;
  /** Per socket, when its next operation may start: whether its client had read enough by then. */
  readonly turns: WeakMap<ReadSocket, Promise<boolean>>;
}

function hookState(options: WsTransportOptions): HookState {
  return {
    options,
    operations: new WeakMap(),
    connections: new WeakMap(),
    connectionSerial: 0,
    turns: new WeakMap(),
  };
}

/** The name a socket's subscriptions are charged to. */
function connectionOf(state: HookState, ctx: object): string {
  let name = state.connections.get(ctx);
  if (name === undefined) state.connections.set(ctx, (name = `ws-${(state.connectionSerial += 1)}`));
  return name;
}

/**
 * True (and the socket closed, once) when its client did not read in time (`caughtUp` false), or
 * the socket holds more unsent output than it may: everything sent to it would pile up here.
 */
function unread(options: WsTransportOptions, socket: ReadSocket, caughtUp = true): boolean {
  if (socket.readyState !== socket.OPEN) return true;
  if (caughtUp && socket.bufferedAmount <= options.maxBufferedBytes) return false;
  options.onRefused('websocket_slow_reader');
  options.logger.info(
    {
      transport: 'websocket',
      reason: 'websocket_slow_reader',
      unreadBytes: socket.unreadBytes,
      bufferedBytes: socket.bufferedAmount,
    },
    'connection closed',
  );
  socket.close(1008, 'Output not read (WEBSOCKET_MAX_BUFFERED_BYTES)');
  setTimeout(() => socket.terminate(), SLOW_READER_CLOSE_GRACE_MS).unref();
  return true;
}

// Operations that arrive together would all be checked, and then worked out, before the first
// answer is sent. One start per socket per turn lets each answer reach the socket first, and the
// wait for the client to read what it was sent keeps a client that does not read from costing more
// than its allowance, whatever the kernel's buffers take in.
function nextTurn(state: HookState, socket: ReadSocket): Promise<boolean> {
  const { maxBufferedBytes, readTimeoutMs } = state.options;
  const turn = (state.turns.get(socket) ?? Promise.resolve(true))
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(() => socket.caughtUp(maxBufferedBytes, readTimeoutMs));
  state.turns.set(socket, turn);
  return turn;
}

/** The handshake: the operation check's caller stage. */
function acceptConnection(options: WsTransportOptions, ctx: SocketContext): boolean {
  const refusal = options.check.caller(handshakePresented(ctx.extra.request, ctx.connectionParams));
  if (refusal === null) return true;
  options.onRefused(refusal.reason);
  options.logger.info({ transport: 'websocket', reason: refusal.reason }, 'request refused');
  return false;
}

/** Refused on arrival: the connection already has its most operations in progress, those waiting for their turn included. */
function connectionFull(options: WsTransportOptions, ctx: SocketContext): GraphQLError | null {
  if (Object.keys(ctx.subscriptions).length <= options.maxPerConnection) return null;
  return subscriptionLimitError(
    `This connection already has ${options.maxPerConnection} operations in progress, the most it may (SUBSCRIPTION_MAX_PER_CONNECTION); complete one or open another connection`,
  );
}

/** In its turn, the rest of the operation check, then the operation's own context and abort, tracked until it completes. */
async function subscribe(
  state: HookState,
  ctx: SocketContext,
  id: string,
  payload: SubscribePayload,
): Promise<ExecutionArgs | readonly GraphQLError[]> {
  const { options } = state;
  const full = connectionFull(options, ctx);
  if (full !== null) return [full];
  const caughtUp = await nextTurn(state, ctx.extra.socket);
  if (unread(options, ctx.extra.socket, caughtUp))
    return [subscriptionLimitError('This connection does not read what it is sent; it is being closed')];
  // Completed by the client while it waited: graphql-ws sends nothing for it, so nothing is worked out.
  if (!(id in ctx.subscriptions)) return [subscriptionLimitError('This operation was completed before it started')];
  const checked = options.check.request({
    query: payload.query,
    operationName: payload.operationName ?? undefined,
    variables: payload.variables ?? undefined,
    extensions: payload.extensions ?? undefined,
  });
  if ('errors' in checked) return checked.errors;
  const { document, operation } = checked.resolved;
  const controller = new AbortController();
  const contextValue = options.newContext(controller.signal, connectionOf(state, ctx));
  const perSocket = state.operations.get(ctx) ?? new Map<string, Operation>();
  state.operations.set(ctx, perSocket);
  perSocket.set(id, {
    controller,
    requestId: contextValue.requestId,
    operationType: operation.operation,
    operationName: operation.name?.value ?? null,
    startedAt: performance.now(),
  });
  return {
    schema: options.check.schema,
    document,
    operationName: payload.operationName ?? undefined,
    variableValues: payload.variables ?? undefined,
    contextValue,
  };
}

function formatErrors(options: WsTransportOptions, errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => options.formatError(error.toJSON(), error));
}

function formatNext(
  options: WsTransportOptions,
  ctx: SocketContext,
  result: ExecutionResult,
): FormattedExecutionResult | undefined {
  // Sent after the close, the message goes nowhere (graphql-ws sends only on an open socket).
  if (unread(options, ctx.extra.socket)) return undefined;
  if (!result.errors) return undefined;
  return { ...result, errors: formatErrors(options, result.errors) };
}

function completeOperation(state: HookState, ctx: SocketContext, id: string): void {
  const perSocket = state.operations.get(ctx);
  const ended = perSocket?.get(id);
  perSocket?.delete(id);
  if (!ended) return;
  ended.controller.abort();
  // One line per operation, as HTTP requests get; variables and results are never logged.
  state.options.logger.info(
    {
      requestId: ended.requestId,
      transport: 'websocket',
      operationType: ended.operationType,
      operationName: ended.operationName,
      durationMs: Math.round(performance.now() - ended.startedAt),
    },
    'graphql operation ended',
  );
}

function closeConnection(state: HookState, ctx: SocketContext): void {
  for (const operation of state.operations.get(ctx)?.values() ?? []) operation.controller.abort();
  state.operations.delete(ctx);
}

function serverHooks(options: WsTransportOptions): ServerHooks {
  const state = hookState(options);
  return {
    connectionInitWaitTimeout: options.initTimeoutMs,
    onConnect: (ctx) => acceptConnection(options, ctx),
    onSubscribe: (ctx, id, payload) => subscribe(state, ctx, id, payload),
    onNext: (ctx, _id, _payload, _args, result) => formatNext(options, ctx, result),
    onError: (_ctx, _id, _payload, errors) => formatErrors(options, errors),
    onComplete: (ctx, id) => completeOperation(state, ctx, id),
    onClose: (ctx) => closeConnection(state, ctx),
  };
}

const CONNECTION_LIMIT_TEXT =
  'This subgraph has as many WebSocket connections open as it may (WEBSOCKET_MAX_CONNECTIONS); try again later';

export function startWsTransport(options: WsTransportOptions): WsTransport {
  // noServer: ws's own `path` option takes one path; upgrades are routed here instead.
  const wsServer = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    WebSocket: ReadSocket,
  });
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!options.paths.includes(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (wsServer.clients.size >= options.maxConnections) {
      options.onRefused('websocket_connection_limit');
      options.logger.info({ transport: 'websocket', reason: 'websocket_connection_limit' }, 'request refused');
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Type: text/plain\r\nContent-Length: ${CONNECTION_LIMIT_TEXT.length}\r\n\r\n${CONNECTION_LIMIT_TEXT}`,
      );
      return;
    }
    wsServer.handleUpgrade(request, socket, head, (webSocket) => wsServer.emit('connection', webSocket, request));
  };
  options.httpServer.on('upgrade', onUpgrade);
  const server = useServer<Record<string, unknown> | undefined, SocketExtra>(serverHooks(options), wsServer);

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
