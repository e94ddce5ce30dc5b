/** What every resolver receives: this request's loaders and limits. Built per request by server.ts. */
import type { TaskLoaders } from './loaders/task-loaders.js';
import type { RequestTelemetry } from './observability/request-telemetry.js';
import type { TraceSpan } from './observability/tracing.js';
import type { TaskMaxAge } from './resolvers/cache-hints.js';
import type { TaskWatches } from './subscriptions/task-watches.js';

export interface RequestLimits {
  /** Most ids one list query may name. */
  readonly maxTaskIds: number;
  /** Most representations one `_entities` query may carry. */
  readonly maxEntityRepresentations: number;
}

export interface RequestContext {
  /** The caller's `x-request-id` when usable, else generated; echoed in the response header. */
  readonly requestId: string;
  /** This request's upstream calls, cache hits and retries, for its log line. */
  readonly telemetry: RequestTelemetry;
  readonly loaders: TaskLoaders;
  readonly limits: RequestLimits;
  /** Cache-Control max-age by task state. */
  readonly taskMaxAge: TaskMaxAge;
  /** Epoch ms by which this request's provider work must end (REQUEST_DEADLINE_MS after it arrived). */
  readonly deadline: number;
  /** Aborted when the client goes away before the response is finished; every lookup of the request listens to it. */
  readonly signal: AbortSignal;
  /** The process's poller registry: what subscription fields subscribe to. */
  readonly watches: TaskWatches;
  /** Who subscriptions are charged to: the WebSocket connection, or this HTTP request (a callback subscription is one). */
  readonly client?: string;
  /** This request's span, when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly span?: TraceSpan;
}
