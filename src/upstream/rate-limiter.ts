/**
 * Per-provider request budget: at most `ratePerSecond` calls in any window of `windowMs + marginMs`
 * (a sliding log, not a token bucket), optionally paced window/budget apart. Calls over budget wait
 * in a bounded queue shared fairly between their owners (round-robin between requests, FIFO within
 * one; when full, the request holding the most gives up its newest place, else the newcomer fails
 * with RATE_LIMITED); an aborted waiter leaves at once. With a `shared` quota, Redis decides and the
 * local log (at `fallbackRatePerSecond`) stands in while it is unavailable. Why: docs/architecture.md.
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
  /** Added to the window so that differing send delays cannot put more than the budget into one window at the provider; default 0. */
  readonly marginMs?: number;
  /** The quota shared by every replica; absent: this process owns the whole budget. */
  readonly shared?: SharedQuota;
  /** Calls per window while `shared` is unavailable; defaults to `ratePerSecond`. */
  readonly fallbackRatePerSecond?: number;
  /** Grants at least (window + margin) / budget apart, never as a burst; production sets it (upstream-source.ts). */
  readonly pace?: boolean;
}

/** The shared quota's answer: go, wait this long and ask again, or null when it cannot be asked (then the local fallback decides). */
export type QuotaAnswer = { readonly granted: true } | { readonly granted: false; readonly retryAfterMs: number } | null;

export interface SharedQuota {
  /** Takes one call's place in the shared window when there is one; never rejects. */
  take(): Promise<QuotaAnswer>;
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
  /** A question to the shared quota is under way; the pump asks one at a time, for the waiter whose turn it is. */
  private asking = false;
  /** When the shared quota last stopped answering; undefined while it answers. */
  private sharedLostAt: number | undefined;
  private readonly events: UpstreamEvents;
  private readonly windowMs: number;
  private readonly fallbackRate: number;

  constructor(private readonly options: RateLimiterOptions) {
    if (!(Number.isInteger(options.ratePerSecond) && options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be a positive integer');
    this.events = upstreamEvents(options.events);
    this.windowMs = (options.windowMs ?? 1000) + (options.marginMs ?? 0);
    this.fallbackRate = Math.min(options.ratePerSecond, Math.max(1, Math.floor(options.fallbackRatePerSecond ?? options.ratePerSecond)));
  }

  /** Which quota decides: Redis's, shared by every replica (with the local share as fallback), or this process's own. */
  get quota(): 'shared' | 'local' {
    return this.options.shared === undefined ? 'local' : 'shared';
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
    // With a shared quota every call asks it, so there is no synchronous way through.
    if (this.options.shared === undefined && this.waiting === 0 && this.nextGrantAt() <= now) {
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
      if (this.timer === undefined && !this.asking) this.pump();
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

  /**
   * When the next call may go: now while under budget, else when the oldest remembered grant leaves
   * the window; paced, also no sooner than window/budget after the latest grant.
   */
  private nextGrantAt(ratePerSecond = this.options.ratePerSecond): number {
    const latest = this.grants[this.grants.length - 1];
    const paced = this.options.pace && latest !== undefined ? latest + this.windowMs / ratePerSecond : Number.NEGATIVE_INFINITY;
    if (this.grants.length < ratePerSecond) return paced;
    return Math.max(paced, this.grants[this.grants.length - ratePerSecond]! + this.windowMs);
  }

  private grant(now: number): void {
    this.grants.push(now);
    if (this.grants.length > this.options.ratePerSecond) this.grants.shift();
  }

  /** Lets waiters go, one owner after another, while the budget allows, then sleeps until it allows the next. */
  private pump(): void {
    const { clock } = this.options;
    this.timer = undefined;
    if (this.options.shared !== undefined) {
      void this.pumpShared(this.options.shared);
      return;
    }
    while (this.waiting > 0) {
      const now = clock.now();
      const at = this.nextGrantAt();
      // Timers may fire a little early by the wall clock; then this simply sleeps again.
      if (at > now) {
        this.timer = clock.setTimeout(() => this.pump(), at - now);
        return;
      }
      this.grantNext(now);
    }
  }

  /** The waiter whose turn it is goes now. */
  private grantNext(now: number): void {
    const owner = this.ring[this.next]!;
    const head = owner.waiters[0]!;
    // Past this owner before removing its waiter, so remove() keeps the cursor on the owner after it.
    this.next = (this.next + 1) % this.ring.length;
    this.remove(head);
    head.signal?.removeEventListener('abort', head.onAbort);
    this.grant(now);
    this.events.onRateLimitWait(this.options.provider, now - head.enqueuedAt, this.waiting);
    head.resolve();
  }

  /**
   * Asks the shared quota for the waiter whose turn it is, one question at a time, so turns keep
   * their fair order. A place granted after its waiter has gone (aborted meanwhile) is spent
   * unused: the quota only ever errs on the side of fewer calls.
   */
  private async pumpShared(shared: SharedQuota): Promise<void> {
    const { clock } = this.options;
    this.asking = true;
    try {
      while (this.waiting > 0) {
        const answer = await shared.take();
        if (this.waiting === 0) return;
        const now = clock.now();
        if (answer === null) {
          // The shared quota cannot be asked: this replica keeps to its own share. Other replicas may
          // have spent the whole budget of the last window before Redis went away, and this one cannot
          // know: its own share starts only once that window is over.
          this.sharedLostAt ??= now;
          const at = Math.max(this.nextGrantAt(this.fallbackRate), this.sharedLostAt + this.windowMs);
          if (at > now) {
            this.timer = clock.setTimeout(() => this.pump(), at - now);
            return;
          }
        } else if (!answer.granted) {
          this.sharedLostAt = undefined;
          this.timer = clock.setTimeout(() => this.pump(), Math.max(1, answer.retryAfterMs));
          return;
        }
        if (answer !== null) this.sharedLostAt = undefined;
        this.grantNext(now);
      }
    } finally {
      this.asking = false;
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

/** Each call through the source first takes its turn from `limiter`; traced, the wait is a span of its own. */
export function rateLimitedSource<T>(source: TaskSource<T>, limiter: RateLimiter, clock?: Pick<Clock, 'now'>, provider?: ProviderName): TaskSource<T> {
  return async (taskId, call) => {
    const tally = call?.tally;
    const startedAt = tally && clock ? clock.now() : 0;
    const span = call?.span?.child('quota wait', { ...(provider !== undefined && { provider }), quota: limiter.quota, ...(call.attempt !== undefined && { attempt: call.attempt }) });
    try {
      await limiter.acquire({ signal: call?.signal, owner: call?.owner });
      span?.setAttributes({ outcome: 'GRANTED' });
    } catch (error) {
      const code = error instanceof ProviderError ? error.kind : 'ERROR';
      span?.setAttributes({ outcome: code });
      span?.fail(code);
      throw error;
    } finally {
      span?.end();
    }
    // The request's log line says how long its calls waited for their turn.
    if (tally && clock) tally.rateLimitWaitMs = (tally.rateLimitWaitMs ?? 0) + (clock.now() - startedAt);
    return source(taskId, call);
  };
}
