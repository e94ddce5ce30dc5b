/**
 * A task source turns a task id into a parsed model: one signed provider call plus
 * the pure parser. Loaders batch over sources; production concerns (caching,
 * in-flight sharing, retries, rate limits; see src/upstream/) wrap a source without
 * changing its shape.
 */
import type { TraceSpan } from '../observability/tracing.js';

/**
 * What the lookups of one GraphQL request cost upstream, counted by the src/upstream/
 * layer that knows (the log line of the request reads it). The wrappers are shared by
 * every request, so the counts travel with the call rather than living in the wrappers.
 * Mutable on purpose: one object per request, added to by every lookup it makes.
 */
export interface CallTally {
  /** Provider calls actually sent (each retry attempt counts). */
  upstreamCalls: number;
  cacheHits: number;
  cacheMisses: number;
  /** Lookups that joined a call already in flight instead of making their own. */
  inFlightShared: number;
  retries: number;
  /** Lookups answered by the shared (Redis) cache, another replica's answer (shared mode only). */
  sharedCacheHits?: number;
  /** Lookups that waited for another replica's provider call (its lease) instead of making their own. */
  sharedInFlight?: number;
  /** Milliseconds this request's provider calls waited for their turn in the rate limit (local or shared quota). */
  rateLimitWaitMs?: number;
}

/** The rate limiter's classes, highest first (src/upstream/rate-limiter.ts). */
export type CallPriority = 'interactive' | 'first_read' | 'refresh';

/** What one lookup may spend: the GraphQL request's deadline and, optionally, its cancellation. */
export interface TaskCall {
  /**
   * The GraphQL request this lookup belongs to, unique per request (not the caller's
   * x-request-id, which two requests may share). The rate limiter shares its queue fairly
   * between owners, so one request with thousands of ids cannot starve the others.
   */
  readonly owner?: string;
  /**
   * Who is waiting for the answer, for the rate limiter's priority classes: `interactive` (a query,
   * the default), a subscription's `first_read`, or a `refresh` poll of a watched task.
   */
  readonly priority?: CallPriority;
  /**
   * For a `refresh`: how old an answer it accepts from the shared tier (Redis), past the running
   * TTL; the scheduler sets it to the time since this replica last read the task.
   */
  readonly maxAgeMs?: number;
  /** Epoch ms by which the answer is needed; nothing below waits or retries past it. */
  readonly deadline?: number;
  /**
   * Aborts the provider call (and any wait for it) when nobody needs the answer any more:
   * the server aborts it when the client's connection closes. Every layer that waits
   * listens to it, so abandoned work stops and leaves the rate-limit queue.
   */
  readonly signal?: AbortSignal;
  /** Where this lookup's upstream work is counted; a call without one is simply not counted. */
  readonly tally?: CallTally;
  /**
   * The span this lookup's work is traced under (its loader batch); absent when tracing is off,
   * and then no layer builds a span at all.
   */
  readonly span?: TraceSpan;
  /** Which attempt of the lookup this is, 1 first: set by the retry layer, for the attempt's span. */
  readonly attempt?: number;
}

export type TaskSource<T> = (taskId: string, call?: TaskCall) => Promise<T>;
