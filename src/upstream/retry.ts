/**
 * Retries of transient provider failures (`ProviderError.retryable`), inside the request's deadline:
 * at most `maxAttempts`, each a fresh, re-signed call through the rate limiter, separated by
 * exponential backoff with full jitter but never less than Retry-After. The deadline aborts a
 * running attempt and skips a wait that would end after it; the caller's signal aborts both.
 * Each retry is counted on the caller's tally.
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
  return new ProviderError({
    provider,
    kind: 'UPSTREAM_UNAVAILABLE',
    message: `${provider} request aborted by the caller`,
    retryable: false,
  });
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
  const attemptOnce = async (
    taskId: string,
    attempt: number,
    deadline: number,
    caller: TaskCall | undefined,
  ): Promise<{ value: T } | { error: unknown; deadlineHit: boolean }> => {
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
      // Read live: a query joining a poll's shared call raises its class while it waits (in-flight.ts).
      if (caller?.priority !== undefined)
        Object.defineProperty(call, 'priority', { get: () => caller.priority, enumerable: true });
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
