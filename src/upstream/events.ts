/**
 * Hooks for metrics and logs. The upstream wrappers report what they do through
 * this one interface and import no metrics or logging library; whoever builds the
 * app subscribes (prom-client counters, pino lines). Every hook is optional and a
 * throwing subscriber is ignored: observing a call must never change its outcome.
 */
import { ProviderError, type ProviderErrorKind, type ProviderName } from '../providers/errors.js';

/** `OK`, the ProviderError kind of a failed call, or `ERROR` for anything else (a bug). */
export type UpstreamOutcome = 'OK' | ProviderErrorKind | 'ERROR';

export interface UpstreamEvents {
  /** Answered from the process-wide cache (a value or a cached NOT_FOUND). */
  onCacheHit(provider: ProviderName): void;
  onCacheMiss(provider: ProviderName): void;
  /** A call joined one already in flight for the same task instead of going upstream. */
  onInFlightShared(provider: ProviderName): void;
  /** `attempt` is the attempt about to be made (2, 3, ...), after waiting `delayMs`. */
  onRetry(provider: ProviderName, attempt: number, error: unknown, delayMs: number): void;
  /** The request deadline ended the call (no attempt left time to finish). */
  onDeadlineExceeded(provider: ProviderName): void;
  /** A call waited `waitedMs` in the rate limiter's queue; `queueLength` waiters remain behind it. */
  onRateLimitWait(provider: ProviderName, waitedMs: number, queueLength: number): void;
  /** The rate limiter's queue was full, so the call failed at once. */
  onRateLimitRejected(provider: ProviderName, queueLength: number): void;
  /** Answered from the shared (Redis) cache: another replica's answer. */
  onSharedCacheHit(provider: ProviderName): void;
  /** A lookup waited for another replica's provider call (it held the task's lease). */
  onSharedInFlight(provider: ProviderName): void;
  /** One provider call (one attempt) and its parse, timed from after the rate limiter let it go. */
  onUpstreamCall(provider: ProviderName, outcome: UpstreamOutcome, durationMs: number): void;
}

/** A hook that cannot throw: a broken metric must not fail a task lookup. */
export function guarded<A extends unknown[]>(hook: ((...args: A) => void) | undefined): (...args: A) => void {
  if (hook === undefined) return () => {};
  return (...args) => {
    try {
      hook(...args);
    } catch {
      // Ignored on purpose, see above.
    }
  };
}

/** Fills the missing hooks with no-ops and shields callers from subscribers that throw. */
export function upstreamEvents(partial: Partial<UpstreamEvents> = {}): UpstreamEvents {
  return {
    onCacheHit: guarded(partial.onCacheHit?.bind(partial)),
    onCacheMiss: guarded(partial.onCacheMiss?.bind(partial)),
    onInFlightShared: guarded(partial.onInFlightShared?.bind(partial)),
    onRetry: guarded(partial.onRetry?.bind(partial)),
    onDeadlineExceeded: guarded(partial.onDeadlineExceeded?.bind(partial)),
    onRateLimitWait: guarded(partial.onRateLimitWait?.bind(partial)),
    onRateLimitRejected: guarded(partial.onRateLimitRejected?.bind(partial)),
    onUpstreamCall: guarded(partial.onUpstreamCall?.bind(partial)),
    onSharedCacheHit: guarded(partial.onSharedCacheHit?.bind(partial)),
    onSharedInFlight: guarded(partial.onSharedInFlight?.bind(partial)),
  };
}

export function outcomeOf(error: unknown): UpstreamOutcome {
  return error instanceof ProviderError ? error.kind : 'ERROR';
}
