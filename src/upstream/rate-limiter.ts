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
 * Calls over budget wait in a bounded queue shared fairly between the requests that own
 * them (`TaskCall.owner`); one FIFO queue would let a single request with thousands of ids
 * fill it, and everyone behind it would be refused or wait out their deadline:
 * - waiters are grouped by owner, FIFO within one owner (calls without an owner share one group);
 * - grants go round-robin between owners, so a request with one id waits for at most one
 *   grant per other waiting request, however many ids those hold;
 * - when the queue is full, a newcomer whose request would still hold fewer waiters than
 *   the request holding the most evicts that request's newest waiter (which fails with
 *   RATE_LIMITED); otherwise the newcomer fails at once with RATE_LIMITED, rather than
 *   joining a backlog it would only time out in.
 * A waiter whose signal aborts (its client went away, its deadline passed) leaves at once.
 * It sits under the retry layer, so every attempt, retries included, spends budget.
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
  readonly owner: OwnerQueue;
}

/** One request's waiters, oldest first. */
interface OwnerQueue {
  readonly key: string;
  readonly waiters: Waiter[];
}

/** The group of calls that come without an owner (tests, tools): they share one FIFO. */
const NO_OWNER = '';

export interface AcquireOptions {
  /** Aborting it takes the call out of the queue. */
  readonly signal?: AbortSignal | undefined;
  /** The request the call belongs to; see TaskCall.owner. */
  readonly owner?: string | undefined;
}

export class RateLimiter {
  /** Times of the most recent grants, oldest first, never more than `ratePerSecond` of them. */
  private readonly grants: number[] = [];
  /** Owners with waiters, in round-robin order; `next` is the one served next. */
  private readonly ring: OwnerQueue[] = [];
  private readonly owners = new Map<string, OwnerQueue>();
  private next = 0;
  private waiting = 0;
  /** Pending wake-up for the queue; set whenever the queue is not empty. */
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
    return this.waiting;
  }

  /** Calls of `owner` waiting now. */
  queueLengthOf(owner: string): number {
    return this.owners.get(owner)?.waiters.length ?? 0;
  }

  /** Requests with calls waiting now. */
  get waitingOwners(): number {
    return this.ring.length;
  }

  /**
   * Resolves when the call may go; rejects when the queue is full (or the call is evicted
   * to make room for another request's) or `signal` aborts first.
   */
  acquire(options: AcquireOptions = {}): Promise<void> {
    const { signal } = options;
    const key = options.owner ?? NO_OWNER;
    const { maxQueue, clock } = this.options;
    if (signal?.aborted) return Promise.reject(this.abortedError());
    const now = clock.now();
    if (this.waiting === 0 && this.nextGrantAt() <= now) {
      this.grant(now);
      return Promise.resolve();
    }
    if (this.waiting >= maxQueue && !this.evictForNewcomer(key)) {
      this.events.onRateLimitRejected(this.options.provider, this.waiting);
      return Promise.reject(this.fullError());
    }
    return new Promise<void>((resolve, reject) => {
      const owner = this.ownerQueue(key);
      const waiter: Waiter = {
        enqueuedAt: now,
        resolve,
        reject,
        signal,
        owner,
        onAbort: () => {
          this.remove(waiter);
          reject(this.abortedError());
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      owner.waiters.push(waiter);
      this.waiting += 1;
      if (this.timer === undefined) this.pump();
    });
  }

  /**
   * With the queue full, makes room for a call of `key` when its request would still hold
   * fewer waiters than the biggest holder after taking one of that holder's places: then the
   * biggest holder's newest waiter (the one that would go last) is refused instead. The
   * strict inequality keeps two requests of equal share from evicting each other in turn.
   */
  private evictForNewcomer(key: string): boolean {
    let biggest: OwnerQueue | undefined;
    for (const owner of this.ring) if (biggest === undefined || owner.waiters.length > biggest.waiters.length) biggest = owner;
    const held = this.queueLengthOf(key);
    if (biggest === undefined || biggest.key === key || held + 1 >= biggest.waiters.length) return false;
    const evicted = biggest.waiters[biggest.waiters.length - 1]!;
    this.remove(evicted);
    evicted.signal?.removeEventListener('abort', evicted.onAbort);
    this.events.onRateLimitRejected(this.options.provider, this.waiting);
    evicted.reject(this.fullError());
    return true;
  }

  private ownerQueue(key: string): OwnerQueue {
    let owner = this.owners.get(key);
    if (owner === undefined) {
      owner = { key, waiters: [] };
      this.owners.set(key, owner);
      // Last in the current round: it waits for each owner already waiting at most once.
      this.ring.splice(this.next, 0, owner);
      this.next += 1;
      if (this.next >= this.ring.length) this.next = 0;
    }
    return owner;
  }

  /** Takes `waiter` out of the queue, and its owner out of the ring when that was its last waiter. */
  private remove(waiter: Waiter): void {
    const { owner } = waiter;
    const index = owner.waiters.indexOf(waiter);
    if (index < 0) return;
    owner.waiters.splice(index, 1);
    this.waiting -= 1;
    if (owner.waiters.length > 0) return;
    this.owners.delete(owner.key);
    const at = this.ring.indexOf(owner);
    this.ring.splice(at, 1);
    if (at < this.next) this.next -= 1;
    if (this.next >= this.ring.length) this.next = 0;
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

  /** Lets waiters go, one owner after another, while the budget allows, then sleeps until it allows the next. */
  private pump(): void {
    const { clock, provider } = this.options;
    this.timer = undefined;
    while (this.waiting > 0) {
      const now = clock.now();
      const at = this.nextGrantAt();
      // Timers may fire a little early by the wall clock; then this simply sleeps again.
      if (at > now) {
        this.timer = clock.setTimeout(() => this.pump(), at - now);
        return;
      }
      const owner = this.ring[this.next]!;
      const head = owner.waiters[0]!;
      // Past this owner before removing its waiter, so remove() keeps the cursor on the owner after it.
      this.next = (this.next + 1) % this.ring.length;
      this.remove(head);
      head.signal?.removeEventListener('abort', head.onAbort);
      this.grant(now);
      this.events.onRateLimitWait(provider, now - head.enqueuedAt, this.waiting);
      head.resolve();
    }
  }

  private fullError(): ProviderError {
    const { provider, maxQueue } = this.options;
    return new ProviderError({
      provider,
      kind: 'RATE_LIMITED',
      message: `${provider} rate limit queue is full (${maxQueue} calls waiting)`,
      // Local overload: retrying from inside would only lengthen the queue.
      retryable: false,
    });
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
    await limiter.acquire({ signal: call?.signal, owner: call?.owner });
    return source(taskId, call);
  };
}
