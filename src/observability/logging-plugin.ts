/**
 * One structured log line per GraphQL request, and the GraphQL request metrics.
 * The line says who asked (request id, operation), what it cost upstream (calls,
 * cache hits, retries: counted on the request's telemetry, see request-telemetry.ts),
 * how long it took and which error codes the response carried. Variables and results
 * are never logged: task payloads can hold signed URLs and user data.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, GraphQLError, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { RequestContext } from '../context.js';
import type { CallTally } from '../sources/task-source.js';
import { ProviderError } from '../providers/errors.js';
import type { GraphQLOutcome, GraphQLRequestSample, Metrics } from './metrics.js';
import { GRAPHQL_NAME } from './graphql-name.js';

export interface LoggingPluginOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Monotonic milliseconds, for durations. */
  readonly clock?: () => number;
}

/**
 * Apollo resolves the operation only for a valid document; a refused one (too deep, too
 * many aliases) still has a parsed document to name it. A client-sent name that is not a
 * GraphQL name is not worth a log field.
 */
function operationNameOf(
  resolved: string | null | undefined,
  requested: string | undefined,
  document: DocumentNode | undefined,
): string | null {
  const name =
    resolved ?? (document ? getOperationAST(document, requested)?.name?.value : undefined) ?? requested ?? null;
  return name !== null && GRAPHQL_NAME.test(name) ? name : null;
}

const roundMs = (ms: number): number => Math.round(ms * 1000) / 1000;

function countCodes(errors: readonly GraphQLFormattedError[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const error of errors) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN';
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

/**
 * The logger of `graphql request` lines: the app's logger without its redaction. Redaction
 * (src/logger.ts) guards against a careless object carrying a credential; its wildcard paths
 * (`*.secretKey`) make pino walk every field of every line, which CPU profiles under load
 * showed as a tenth of a cached request's time (docs/BENCHMARKS.md, sections 2 and 4). A request
 * line is built here from a closed set of fields (ids, names, counts, codes) and never holds
 * a header or a credential, so there is nothing to redact. Every other line keeps it.
 */
function requestLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

export function loggingPlugin(options: LoggingPluginOptions): ApolloServerPlugin<RequestContext> {
  const clock = options.clock ?? (() => performance.now());
  const lines = requestLogger(options.logger);
  return {
    async requestDidStart({ contextValue }) {
      const startedAt = clock();
      // A field on each line rather than a child logger: one object fewer per request.
      const { requestId } = contextValue;
      const logger = options.logger;
      return {
        async didEncounterErrors({ errors }) {
          // The error formatter masks these as INTERNAL_SERVER_ERROR; the details belong in the log only.
          for (const error of errors) {
            const cause = error.originalError;
            if (cause && !(cause instanceof GraphQLError) && !(cause instanceof ProviderError)) {
              logger.error({ requestId, err: cause, path: error.path }, 'unexpected error while resolving');
            }
          }
        },
        async willSendResponse({ request, response, operationName, operation, document, metrics: requestMetrics }) {
          const durationMs = roundMs(clock() - startedAt);
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const errors = result?.errors ?? [];
          const hasData = result?.data !== undefined && result.data !== null;
          const outcome: GraphQLOutcome = errors.length === 0 ? 'ok' : hasData ? 'partial' : 'failed';
          const errorCodes = countCodes(errors);
          const name = operationNameOf(operationName, request.operationName, document);

          const sample: GraphQLRequestSample = {
            operationName: name,
            // Executed (or answered from the response cache) means a `data` key: every refusal
            // before execution (parse, validation, unknown operation, a limit) answers errors only.
            refused: operation === undefined || result?.data === undefined,
            outcome,
            durationMs,
            errorCodes: errors.map((error) =>
              typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN',
            ),
          };
          const line = requestLine({
            requestId,
            operationName: name,
            operationType: operation?.operation ?? null,
            outcome,
            httpStatus: response.http.status ?? 200,
            durationMs,
            // Answered whole from Apollo's response cache: nothing below the resolvers ran.
            responseCacheHit: requestMetrics.responseCacheHit === true,
            edgeCacheHit: false,
            tally: contextValue.telemetry,
            errors: errorCodes,
          });
          // Recorded once the answer has gone out: Apollo runs this hook before the HTTP integration
          // writes the response, and the line's write (a syscall handed to libuv) and the metrics
          // were the largest part of this hook in CPU profiles of uncached requests, all of it ahead
          // of the answer. The request was handled in an I/O callback, so an immediate runs right
          // after this turn, once the answer is on the socket and before any later I/O is read;
          // everything in the line was fixed above, its duration included.
          setImmediate(() => {
            options.metrics.graphqlRequest(sample);
            if (errorCodes.INTERNAL_SERVER_ERROR) lines.error(line, 'graphql request');
            else lines.info(line, 'graphql request');
          });
        },
      };
    },
  };
}

type RequestLine = {
  readonly requestId: string;
  readonly operationName: string | null;
  readonly operationType: string | null;
  readonly outcome: GraphQLOutcome;
  readonly httpStatus: number;
  readonly durationMs: number;
  readonly responseCacheHit: boolean;
  /** Answered by the edge cache, before Express and Apollo (then responseCacheHit is true too). */
  readonly edgeCacheHit: boolean;
  readonly tally: CallTally;
  readonly errors: Record<string, number>;
};

/** The one shape of a `graphql request` line, whoever answered the request; built without spreads, once per request. */
function requestLine(fields: RequestLine): Omit<RequestLine, 'tally'> & { readonly upstream: Record<string, number> } {
  const { tally } = fields;
  return {
    requestId: fields.requestId,
    operationName: fields.operationName,
    operationType: fields.operationType,
    outcome: fields.outcome,
    httpStatus: fields.httpStatus,
    durationMs: fields.durationMs,
    responseCacheHit: fields.responseCacheHit,
    edgeCacheHit: fields.edgeCacheHit,
    // Which tier answered: cacheHits (this process), sharedCacheHits (Redis), inFlightShared (a call
    // of this process), sharedInFlight (another replica's call), calls (the provider).
    upstream: {
      calls: tally.upstreamCalls,
      cacheHits: tally.cacheHits,
      cacheMisses: tally.cacheMisses,
      inFlightShared: tally.inFlightShared,
      retries: tally.retries,
      sharedCacheHits: tally.sharedCacheHits ?? 0,
      sharedInFlight: tally.sharedInFlight ?? 0,
      rateLimitWaitMs: Math.round(tally.rateLimitWaitMs ?? 0),
    },
    errors: fields.errors,
  };
}

export interface EdgeCacheAnswer {
  readonly requestId: string;
  readonly operationName: string | null;
  readonly durationMs: number;
}

/** Operation names whose edge-cache hit line has its own child logger; further names take the general path. */
const MAX_HIT_LOGGERS = 256;

/**
 * Records a request the edge cache answered (src/http-cache/), which Apollo never saw: the
 * same `graphql request` line as any other request, marked `edgeCacheHit`, and its metrics.
 *
 * Everything on a hit's line but the request id and duration is the same for every hit of
 * one operation, so those fields are bindings of a child logger made once per operation
 * name: pino serialises bindings when the child is made, and each hit serialises two fields.
 * The line's fields are the same as before; only their order in the JSON differs.
 */
export function edgeCacheRecorder(
  options: Pick<LoggingPluginOptions, 'logger' | 'metrics'>,
): (answer: EdgeCacheAnswer) => void {
  const lines = requestLogger(options.logger);
  const hitLoggers = new Map<string | null, Logger>();
  const hitLogger = (operationName: string | null): Logger | undefined => {
    let logger = hitLoggers.get(operationName);
    if (logger === undefined && hitLoggers.size < MAX_HIT_LOGGERS) {
      const {
        requestId: _requestId,
        durationMs: _durationMs,
        ...constant
      } = requestLine({
        requestId: '',
        operationName,
        operationType: 'query',
        outcome: 'ok',
        httpStatus: 200,
        durationMs: 0,
        responseCacheHit: true,
        edgeCacheHit: true,
        tally: NOTHING_UPSTREAM,
        errors: {},
      });
      logger = lines.child(constant);
      hitLoggers.set(operationName, logger);
    }
    return logger;
  };
  return (answer) => {
    const durationMs = roundMs(answer.durationMs);
    const operationName =
      answer.operationName !== null && GRAPHQL_NAME.test(answer.operationName) ? answer.operationName : null;
    options.metrics.graphqlRequest({ operationName, refused: false, outcome: 'ok', durationMs, errorCodes: NO_CODES });
    options.metrics.edgeCacheHit();
    if (!lines.isLevelEnabled('info')) return;
    const logger = hitLogger(operationName);
    if (logger !== undefined) {
      logger.info({ requestId: answer.requestId, durationMs }, 'graphql request');
      return;
    }
    lines.info(
      requestLine({
        requestId: answer.requestId,
        operationName,
        operationType: 'query',
        outcome: 'ok',
        httpStatus: 200,
        durationMs,
        responseCacheHit: true,
        edgeCacheHit: true,
        tally: NOTHING_UPSTREAM,
        errors: {},
      }),
      'graphql request',
    );
  };
}

const NO_CODES: readonly string[] = [];
const NOTHING_UPSTREAM: CallTally = { upstreamCalls: 0, cacheHits: 0, cacheMisses: 0, inFlightShared: 0, retries: 0 };
