/**
 * Per-provider request budget: at most `ratePerSecond` provider calls in ANY
 * one-second window (MPS documents 20 requests/second for DescribeImageTaskDetail;
 * going over earns RequestLimitExceeded for every caller sharing the account).
 *
 * A sliding log, not a token bucket: a bucket allows a full burst at the end of one
 * second and another at the start of the next, which is twice the budget in a window
 * straddling both. Remembering the time of the last `ratePerSecond` grants and letting
 * a call go only when the oldest of them is a full window old rules that out.
 *
 * Calls over budget wait in one FIFO queue, so none is overtaken (and none starves);
 * the queue is bounded, and a call that finds it full fails at once with RATE_LIMITED
 * rather than joining a backlog it would only time out in. It sits under the retry
 * layer, so every attempt, retries included, spends budget.
 */
import { ProviderError, type ProviderName } from '../providers/errors.js';
import type { TaskSource } from '../sources/task-source.js';
import type { Clock, TimerHandle } from './clock.js';
import { upstreamEvents, type UpstreamEvents } from './events.js';

export interface RateLimiterOptions {
  readonly provider: ProviderName;
  /** Calls allowed in any window of `windowMs`. */
  readonly ratePerSecond: number;
  /** Calls allowed to wait; beyond that a call fails at once. 0 = never wait. */
  readonly maxQueue: number;
  readonly clock: Clock;
  readonly events?: Partial<UpstreamEvents>;
  /** The window; 1000 except in tests that want a different scale. */
  readonly windowMs?: number;
}

interface Waiter {
  readonly enqueuedAt: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export class RateLimiter {
  /** Times of the most recent grants, oldest first, never more than `ratePerSecond` of them. */
  private readonly grants: number[] = [];
  private readonly queue: Waiter[] = [];
  /** Pending wake-up for the head of the queue; set whenever the queue is not empty. */
  private timer: TimerHandle | undefined;
  private readonly events: UpstreamEvents;
  private readonly windowMs: number;

  constructor(private readonly options: RateLimiterOptions) {
    if (!(Number.isInteger(options.ratePerSecond) && options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be a positive integer');
    this.events = upstreamEvents(options.events);
    this.windowMs = options.windowMs ?? 1000;
  }

  /** Calls waiting now (for a gauge). */
  get queueLength(): number {
    return this.queue.length;
  }

  /** Resolves when the call may go; rejects when the queue is full or `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    const { provider, maxQueue, clock } = this.options;
    if (signal?.aborted) return Promise.reject(this.abortedError());
    const now = clock.now();
    if (this.queue.length === 0 && this.nextGrantAt() <= now) {
      this.grant(now);
      return Promise.resolve();
    }
    if (this.queue.length >= maxQueue) {
      this.events.onRateLimitRejected(provider, this.queue.length);
      return Promise.reject(
        new ProviderError({
          provider,
          kind: 'RATE_LIMITED',
          message: `${provider} rate limit queue is full (${maxQueue} calls waiting)`,
          // Local overload: retrying from inside would only lengthen the queue.
          retryable: false,
        }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        enqueuedAt: now,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(this.abortedError());
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      if (this.timer === undefined) this.pump();
    });
  }

  /** When the next call may go: now while under budget, else when the oldest remembered grant leaves the window. */
  private nextGrantAt(): number {
    const { ratePerSecond } = this.options;
    if (this.grants.length < ratePerSecond) return Number.NEGATIVE_INFINITY;
    return this.grants[this.grants.length - ratePerSecond]! + this.windowMs;
  }

  private grant(now: number): void {
    this.grants.push(now);
    if (this.grants.length > this.options.ratePerSecond) this.grants.shift();
  }

  /** Lets waiters go in order while the budget allows, then sleeps until it allows the next. */
  private pump(): void {
    const { clock, provider } = this.options;
    this.timer = undefined;
    for (let head = this.queue[0]; head !== undefined; head = this.queue[0]) {
      const now = clock.now();
      const at = this.nextGrantAt();
      // Timers may fire a little early by the wall clock; then this simply sleeps again.
      if (at > now) {
        this.timer = clock.setTimeout(() => this.pump(), at - now);
        return;
      }
      this.queue.shift();
      head.signal?.removeEventListener('abort', head.onAbort);
      this.grant(now);
      this.events.onRateLimitWait(provider, now - head.enqueuedAt, this.queue.length);
      head.resolve();
    }
  }

  private abortedError(): ProviderError {
    const { provider } = this.options;
    return new ProviderError({
      provider,
      kind: 'UPSTREAM_UNAVAILABLE',
      message: `${provider} request aborted while waiting for the rate limiter`,
      retryable: false,
    });
  }
}

/** Each call through the source first takes its turn from `limiter`. */
export function rateLimitedSource<T>(source: TaskSource<T>, limiter: RateLimiter): TaskSource<T> {
  return async (taskId, call) => {
    await limiter.acquire(call?.signal);
    return source(taskId, call);
  };
}
