/**
 * Per-provider request budget: at most `ratePerSecond` calls in any window of `windowMs + marginMs`
 * (a sliding log, not a token bucket), optionally paced window/budget apart. Calls over budget wait
 * in a bounded queue shared fairly between their owners (round-robin between requests, FIFO within
 * one; when full, the request holding the most gives up its newest place, else the newcomer fails
 * with RATE_LIMITED); an aborted waiter leaves at once. With a `shared` quota, Redis decides and the
 * local log (at `fallbackRatePerSecond`) stands in while it is unavailable. Why: docs/architecture.md.
 * Priority classes (`TaskCall.priority`): interactive first, then first_read, then refresh, each
 * class its own fair queue; each background class keeps `reservedShare` of the window (at least one
 * call) and takes no more while a higher class waits (docs/live-updates.md, "Freshness under load").
 */
import { ProviderError, type ProviderName } from '../providers/errors.js';
import type { CallPriority, TaskSource } from '../sources/task-source.js';
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
  /** Share of each window kept for each background class (first_read, refresh), at least one call; default 0.05. */
  readonly reservedShare?: number;
}

/** Highest first. A call without a priority is interactive: it comes from a query or a tool. */
export const PRIORITIES: readonly CallPriority[] = ['interactive', 'first_read', 'refresh'];

/** Calls of each background class the window keeps for it. */
export function reservedCalls(ratePerSecond: number, share = DEFAULT_RESERVED_SHARE): number {
  return Math.max(1, Math.floor(ratePerSecond * share));
}

export const DEFAULT_RESERVED_SHARE = 0.05;

/** The shared quota's answer: go, wait this long and ask again, or null when it cannot be asked (then the local fallback decides). */
export type QuotaAnswer =
  { readonly granted: true } | { readonly granted: false; readonly retryAfterMs: number } | null;

export interface SharedQuota {
  /** Takes one call's place in the shared window for a call of `priority` (default interactive) when there is one; never rejects. */
  take(priority?: CallPriority): Promise<QuotaAnswer>;
}

interface Waiter {
  readonly enqueuedAt: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
  owner: OwnerQueue;
  /** The call's class now: a query that joined a queued poll's call in flight raises it (in-flight.ts). */
  readonly priorityNow: (() => CallPriority | undefined) | undefined;
}

/** One request's waiters of one class, oldest first. */
interface OwnerQueue {
  readonly key: string;
  readonly priority: CallPriority;
  readonly waiters: Waiter[];
}

/** One class's owners with waiters, in round-robin order; `next` is the one served next. */
interface ClassQueue {
  readonly ring: OwnerQueue[];
  readonly owners: Map<string, OwnerQueue>;
  next: number;
}

interface Grant {
  readonly at: number;
  readonly priority: CallPriority;
}

/** The group of calls that come without an owner (tests, tools): they share one FIFO. */
const NO_OWNER = '';

export interface AcquireOptions {
  /** Aborting it takes the call out of the queue. */
  readonly signal?: AbortSignal | undefined;
  /** The request the call belongs to; see TaskCall.owner. */
  readonly owner?: string | undefined;
  /** See TaskCall.priority; default interactive. */
  readonly priority?: CallPriority | undefined;
  /** Read again while the call waits: a higher class moves it to that class's queue. */
  readonly priorityNow?: (() => CallPriority | undefined) | undefined;
}

const rank = (priority: CallPriority | undefined): number => PRIORITIES.indexOf(priority ?? 'interactive');

export class RateLimiter {
  /** The most recent grants, oldest first, never more than `ratePerSecond` of them. */
  private readonly grants: Grant[] = [];
  private readonly classes: Record<CallPriority, ClassQueue> = {
    interactive: { ring: [], owners: new Map(), next: 0 },
    first_read: { ring: [], owners: new Map(), next: 0 },
    refresh: { ring: [], owners: new Map(), next: 0 },
  };
  private waiting = 0;
  private readonly reserved: number;
  private readonly grantListeners = new Set<(priority: CallPriority) => void>();
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
    if (!(Number.isInteger(options.ratePerSecond) && options.ratePerSecond > 0))
      throw new RangeError('ratePerSecond must be a positive integer');
    this.events = upstreamEvents(options.events);
    this.windowMs = (options.windowMs ?? 1000) + (options.marginMs ?? 0);
    this.fallbackRate = Math.min(
      options.ratePerSecond,
      Math.max(1, Math.floor(options.fallbackRatePerSecond ?? options.ratePerSecond)),
    );
    this.reserved = reservedCalls(options.ratePerSecond, options.reservedShare);
  }

  /** Calls of each background class the window keeps for it. */
  get reservedPerWindow(): number {
    return this.reserved;
  }

  /** Calls `listener` after each grant, with its class (for the quota-by-class counter; the refresh scheduler starts its next poll then). */
  onGrant(listener: (priority: CallPriority) => void): () => void {
    this.grantListeners.add(listener);
    return () => this.grantListeners.delete(listener);
  }

  /** Which quota decides: Redis's, shared by every replica (with the local share as fallback), or this process's own. */
  get quota(): 'shared' | 'local' {
    return this.options.shared === undefined ? 'local' : 'shared';
  }

  /** Calls waiting now (for a gauge). */
  get queueLength(): number {
    return this.waiting;
  }

  /** Calls of `owner` waiting now (of one class, or of all). */
  queueLengthOf(owner: string, priority?: CallPriority): number {
    const classes = priority === undefined ? PRIORITIES : [priority];
    return classes.reduce((sum, c) => sum + (this.classes[c].owners.get(owner)?.waiters.length ?? 0), 0);
  }

  /** Calls of one class waiting now. */
  waitingIn(priority: CallPriority): number {
    return this.classes[priority].ring.reduce((sum, owner) => sum + owner.waiters.length, 0);
  }

  /** Requests with calls waiting now, every class together. */
  get waitingOwners(): number {
    return PRIORITIES.reduce((sum, c) => sum + this.classes[c].ring.length, 0);
  }

  /**
   * Resolves when the call may go; rejects when the queue is full (or the call is evicted
   * to make room for another request's) or `signal` aborts first.
   */
  acquire(options: AcquireOptions = {}): Promise<void> {
    const { signal } = options;
    const key = options.owner ?? NO_OWNER;
    const priority = options.priority ?? 'interactive';
    const { maxQueue, clock } = this.options;
    if (signal?.aborted) return Promise.reject(this.abortedError());
    const now = clock.now();
    // With a shared quota every call asks it, so there is no synchronous way through.
    if (this.options.shared === undefined && this.waiting === 0 && this.nextGrantAt() <= now) {
      this.grant(now, priority);
      this.granted(priority);
      return Promise.resolve();
    }
    if (this.waiting >= maxQueue && !this.evictForNewcomer(key, priority)) {
      this.events.onRateLimitRejected(this.options.provider, this.waiting);
      return Promise.reject(this.fullError());
    }
    return new Promise<void>((resolve, reject) => {
      const owner = this.ownerQueue(key, priority);
      const waiter: Waiter = {
        enqueuedAt: now,
        resolve,
        reject,
        signal,
        owner,
        priorityNow: options.priorityNow,
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
   * With the queue full, makes room for a call of `key`: a lower class's call is refused first
   * (its biggest holder's newest waiter); within the newcomer's own class, only when its request
   * would still hold fewer waiters than the biggest holder after taking one of that holder's
   * places. The strict inequality keeps two requests of equal share from evicting each other in turn.
   */
  private evictForNewcomer(key: string, priority: CallPriority): boolean {
    const rank = PRIORITIES.indexOf(priority);
    for (let c = PRIORITIES.length - 1; c > rank; c -= 1) {
      const biggest = this.biggestOwner(PRIORITIES[c]!);
      if (biggest !== undefined) return this.evictNewest(biggest);
    }
    const biggest = this.biggestOwner(priority);
    const held = this.queueLengthOf(key, priority);
    if (biggest === undefined || biggest.key === key || held + 1 >= biggest.waiters.length) return false;
    return this.evictNewest(biggest);
  }

  private biggestOwner(priority: CallPriority): OwnerQueue | undefined {
    let biggest: OwnerQueue | undefined;
    for (const owner of this.classes[priority].ring)
      if (biggest === undefined || owner.waiters.length > biggest.waiters.length) biggest = owner;
    return biggest;
  }

  private evictNewest(owner: OwnerQueue): true {
    const evicted = owner.waiters[owner.waiters.length - 1]!;
    this.remove(evicted);
    evicted.signal?.removeEventListener('abort', evicted.onAbort);
    this.events.onRateLimitRejected(this.options.provider, this.waiting);
    evicted.reject(this.fullError());
    return true;
  }

  private ownerQueue(key: string, priority: CallPriority): OwnerQueue {
    const queue = this.classes[priority];
    let owner = queue.owners.get(key);
    if (owner === undefined) {
      owner = { key, priority, waiters: [] };
      queue.owners.set(key, owner);
      // Last in the current round: it waits for each owner already waiting at most once.
      queue.ring.splice(queue.next, 0, owner);
      queue.next += 1;
      if (queue.next >= queue.ring.length) queue.next = 0;
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
    const queue = this.classes[owner.priority];
    queue.owners.delete(owner.key);
    const at = queue.ring.indexOf(owner);
    queue.ring.splice(at, 1);
    if (at < queue.next) queue.next -= 1;
    if (queue.next >= queue.ring.length) queue.next = 0;
  }

  /**
   * When the next call may go: now while under budget, else when the oldest remembered grant leaves
   * the window; paced, also no sooner than window/budget after the latest grant.
   */
  private nextGrantAt(ratePerSecond = this.options.ratePerSecond): number {
    const latest = this.grants[this.grants.length - 1];
    const paced =
      this.options.pace && latest !== undefined ? latest.at + this.windowMs / ratePerSecond : Number.NEGATIVE_INFINITY;
    if (this.grants.length < ratePerSecond) return paced;
    return Math.max(paced, this.grants[this.grants.length - ratePerSecond]!.at + this.windowMs);
  }

  private grant(now: number, priority: CallPriority): void {
    this.grants.push({ at: now, priority });
    if (this.grants.length > this.options.ratePerSecond) this.grants.shift();
  }

  /** Grants of `priority` in the window that ends now. */
  private usedInWindow(priority: CallPriority, now: number): number {
    let used = 0;
    for (const grant of this.grants) if (grant.priority === priority && grant.at > now - this.windowMs) used += 1;
    return used;
  }

  /**
   * The class served next: a background class still short of its reserve in this window first
   * (highest such), then the highest class with waiters.
   */
  private classToServe(now: number): CallPriority {
    for (const priority of PRIORITIES) {
      if (priority === 'interactive' || this.classes[priority].ring.length === 0) continue;
      if (this.usedInWindow(priority, now) < this.reserved) return priority;
    }
    return PRIORITIES.find((priority) => this.classes[priority].ring.length > 0)!;
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

  /** Background waiters whose call has since been raised (a query joined it) move to the queue of their class now. */
  private promote(): void {
    for (const from of PRIORITIES) {
      if (from === 'interactive') continue;
      for (const owner of [...this.classes[from].ring]) {
        for (const waiter of [...owner.waiters]) {
          const now = waiter.priorityNow?.();
          if (waiter.priorityNow === undefined || rank(now) >= rank(from)) continue;
          this.remove(waiter);
          const raised = this.ownerQueue(owner.key, now ?? 'interactive');
          waiter.owner = raised;
          raised.waiters.push(waiter);
          this.waiting += 1;
        }
      }
    }
  }

  /** The waiter whose turn it is goes now. */
  private grantNext(now: number): void {
    this.promote();
    const priority = this.classToServe(now);
    const queue = this.classes[priority];
    const owner = queue.ring[queue.next]!;
    const head = owner.waiters[0]!;
    // Past this owner before removing its waiter, so remove() keeps the cursor on the owner after it.
    queue.next = (queue.next + 1) % queue.ring.length;
    this.remove(head);
    head.signal?.removeEventListener('abort', head.onAbort);
    this.grant(now, priority);
    this.events.onRateLimitWait(this.options.provider, now - head.enqueuedAt, this.waiting);
    head.resolve();
    this.granted(priority);
  }

  private granted(priority: CallPriority): void {
    for (const listener of this.grantListeners) listener(priority);
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
        this.promote();
        const answer = await shared.take(this.classToServe(clock.now()));
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
export function rateLimitedSource<T>(
  source: TaskSource<T>,
  limiter: RateLimiter,
  clock?: Pick<Clock, 'now'>,
  provider?: ProviderName,
): TaskSource<T> {
  return async (taskId, call) => {
    const tally = call?.tally;
    const startedAt = tally && clock ? clock.now() : 0;
    const span = call?.span?.child('quota wait', {
      ...(provider !== undefined && { provider }),
      quota: limiter.quota,
      priority: call.priority ?? 'interactive',
      ...(call.attempt !== undefined && { attempt: call.attempt }),
    });
    try {
      await limiter.acquire({
        signal: call?.signal,
        owner: call?.owner,
        priority: call?.priority,
        ...(call !== undefined && { priorityNow: () => call.priority }),
      });
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
