/**
 * Retries of transient provider failures, inside the request's deadline.
 *
 * - Only errors that say so (`ProviderError.retryable`: throttling, 5xx, network,
 *   a reused nonce) are retried; NOT_FOUND or a bad signature would fail the same way.
 * - At most `maxAttempts` attempts in all, each a fresh call to the source below, so
 *   each is re-signed with a fresh timestamp and nonce and waits its turn in the rate
 *   limiter.
 * - Waits are exponential backoff with full jitter (a random delay between 0 and
 *   min(maxDelay, baseDelay * 2^(attempt-1))), which spreads out callers throttled
 *   together (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/),
 *   but never shorter than the provider's Retry-After.
 * - The deadline bounds everything: an attempt is aborted when it arrives (so the
 *   client's own timeout never outlasts it), and a wait that would end after it is
 *   not started. Out of time, the call fails with the last provider error, or with
 *   DeadlineExceededError when no attempt finished.
 * - Every attempt carries the caller's tally down (the layer that sends it counts it),
 *   and each retry is counted on it here; and its owner, so the rate limiter queues it
 *   with the rest of that request's calls; and, when traced, its span with the attempt's
 *   number, so each attempt's span (measured.ts) says which one it was.
 * - The caller's signal aborts the running attempt and any wait between attempts.
 */
import { defaultOf } from '../config/index.js';
import { ProviderError, type ProviderName } from '../providers/errors.js';
import type { TaskCall, TaskSource } from '../sources/task-source.js';
import { sleep, type Clock } from './clock.js';
import { DeadlineExceededError, markEndedByDeadline } from './deadline.js';
import { upstreamEvents, type UpstreamEvents } from './events.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: defaultOf('UPSTREAM_MAX_ATTEMPTS'),
  baseDelayMs: defaultOf('UPSTREAM_RETRY_BASE_DELAY_MS'),
  maxDelayMs: defaultOf('UPSTREAM_RETRY_MAX_DELAY_MS'),
};

export interface RetryOptions {
  readonly provider: ProviderName;
  readonly policy: RetryPolicy;
  /** Used when a call comes without a deadline, so no call is ever unbounded. */
  readonly defaultDeadlineMs: number;
  readonly clock: Clock;
  /** Uniform in [0, 1); Math.random in production. */
  readonly random: () => number;
  readonly events?: Partial<UpstreamEvents>;
}

/** Full jitter: uniform in [0, min(maxDelay, baseDelay * 2^(attempt-1))) for the wait after attempt `attempt`. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

function callerAborted(provider: ProviderName): ProviderError {
  return new ProviderError({ provider, kind: 'UPSTREAM_UNAVAILABLE', message: `${provider} request aborted by the caller`, retryable: false });
}

function isRetryable(error: unknown): error is ProviderError {
  return error instanceof ProviderError && error.retryable && !(error instanceof DeadlineExceededError);
}

export function retryingSource<T>(source: TaskSource<T>, options: RetryOptions): TaskSource<T> {
  const { provider, policy, clock, random } = options;
  const events = upstreamEvents(options.events);

  const outOfTime = (lastError: unknown): unknown => {
    events.onDeadlineExceeded(provider);
    return markEndedByDeadline(lastError ?? new DeadlineExceededError(provider));
  };

  /** One attempt, aborted at the deadline or when the caller aborts, whichever comes first. */
  const attemptOnce = async (taskId: string, attempt: number, deadline: number, caller: TaskCall | undefined): Promise<{ value: T } | { error: unknown; deadlineHit: boolean }> => {
    const callerSignal = caller?.signal;
    const controller = new AbortController();
    let deadlineHit = false;
    const remainingMs = deadline - clock.now();
    // Node fires a timer of more than 2^31-1 ms at once; a deadline that far off is no deadline.
    const timer =
      remainingMs <= MAX_TIMER_MS
        ? clock.setTimeout(() => {
            deadlineHit = true;
            controller.abort();
          }, remainingMs)
        : undefined;
    const onCallerAbort = (): void => controller.abort();
    if (callerSignal?.aborted) controller.abort();
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const call: TaskCall = {
        deadline,
        signal: controller.signal,
        ...(caller?.tally !== undefined && { tally: caller.tally }),
        ...(caller?.owner !== undefined && { owner: caller.owner }),
        ...(caller?.span !== undefined && { span: caller.span, attempt }),
      };
      return { value: await source(taskId, call) };
    } catch (error) {
      return { error, deadlineHit };
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  };

  return async (taskId, call) => {
    const deadline = call?.deadline ?? clock.now() + options.defaultDeadlineMs;
    let lastError: unknown;
    for (let attempt = 1; ; attempt += 1) {
      if (clock.now() >= deadline) throw outOfTime(lastError);
      const result = await attemptOnce(taskId, attempt, deadline, call);
      if ('value' in result) return result.value;
      // The deadline cut this attempt short: its "aborted" error only means "out of time".
      if (result.deadlineHit) throw outOfTime(lastError);
      lastError = result.error;
      if (!isRetryable(lastError) || attempt >= policy.maxAttempts) throw lastError;
      const delayMs = Math.max(lastError.retryAfterMs ?? 0, backoffDelayMs(attempt, policy, random));
      // A wait that ends at or after the deadline leaves no time for the attempt after it.
      if (clock.now() + delayMs >= deadline) throw outOfTime(lastError);
      events.onRetry(provider, attempt + 1, lastError, delayMs);
      if (call?.tally) call.tally.retries += 1;
      await sleep(clock, delayMs, call?.signal, () => callerAborted(provider));
    }
  };
}
