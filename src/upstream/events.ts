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
  /** One provider call (one attempt) and its parse, timed from after the rate limiter let it go. */
  onUpstreamCall(provider: ProviderName, outcome: UpstreamOutcome, durationMs: number): void;
}

const NAMES = [
  'onCacheHit',
  'onCacheMiss',
  'onInFlightShared',
  'onRetry',
  'onDeadlineExceeded',
  'onRateLimitWait',
  'onRateLimitRejected',
  'onUpstreamCall',
] as const satisfies readonly (keyof UpstreamEvents)[];

/** Fills the missing hooks with no-ops and shields callers from subscribers that throw. */
export function upstreamEvents(partial: Partial<UpstreamEvents> = {}): UpstreamEvents {
  const events = {} as Record<keyof UpstreamEvents, (...args: never[]) => void>;
  for (const name of NAMES) {
    const hook = partial[name] as ((...args: unknown[]) => void) | undefined;
    events[name] = hook
      ? (...args: unknown[]) => {
          try {
            hook.apply(partial, args);
          } catch {
            // A broken metric must not fail a task lookup.
          }
        }
      : () => {};
  }
  return events as unknown as UpstreamEvents;
}

export function outcomeOf(error: unknown): UpstreamOutcome {
  return error instanceof ProviderError ? error.kind : 'ERROR';
}
