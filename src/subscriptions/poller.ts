/**
 * One poller per watched task: it asks the task source (the same stack the queries use) at an
 * interval set by the task's state, never overlapping, and pushes the task to every subscriber when
 * what the provider reports has changed. Retryable failures wait for the next interval unseen; any
 * other failure reaches every subscriber once and ends them; a terminal state completes them all.
 * Its turns come from the provider's refresh scheduler (refresh-scheduler.ts): the first poll is a
 * `first_read`, later ones `refresh` polls, charged to the subscription's client (`owner`); a full
 * rate-limit queue counts as retryable.
 */
import { ProviderError } from '../providers/errors.js';
import type { TaskState } from '../parsing/models.js';
import type { CallPriority, TaskSource } from '../sources/task-source.js';
import type { Clock } from '../upstream/clock.js';
import { wasEndedByDeadline } from '../upstream/deadline.js';
import { signedUrlsLifetimeMs } from '../upstream/cache.js';
import { subscriptionError } from './errors.js';
import { taskFingerprint } from './fingerprint.js';
import type { PollSlot, ScheduledPoll } from './refresh-scheduler.js';
import type { Subscriber } from './subscriber.js';

export interface WatchedTask {
  readonly state: TaskState;
  readonly terminal: boolean;
  readonly signedUrlsExpireAt?: number | null;
}

export interface PollIntervals {
  /** A running task: CACHE_RUNNING_TTL_MS, so every poll finds the cache entry just expired. */
  readonly runningMs: number;
  /** Waiting, unknown, or not known yet after a transient failure: SUBSCRIPTION_WAITING_INTERVAL_MS. */
  readonly waitingMs: number;
}

/** What one poll found; `changed` and `unchanged` are successful polls. */
export type PollOutcome = 'changed' | 'unchanged' | 'transient_error' | 'fatal_error';

export interface PollerOptions<T> {
  readonly taskId: string;
  readonly source: TaskSource<T>;
  readonly intervals: PollIntervals;
  readonly clock: Pick<Clock, 'now'>;
  /** Where the poller asks for its turns: the provider's refresh scheduler. */
  readonly schedule: (poll: ScheduledPoll) => PollSlot;
  /** The client charged for the poller's calls now, and its owner in the rate limiter's fair queue. */
  readonly owner: () => string;
  readonly onPoll?: (outcome: PollOutcome) => void;
  /** A failure that ended every subscriber (for the NOT_FOUND penalty). */
  readonly onFatal?: (error: unknown) => void;
  /** An error that is not the provider's (a bug): for the log. */
  readonly onUnexpectedError?: (error: unknown) => void;
  /** The poller stopped (last subscriber gone, terminal state, lasting error, shutdown). */
  readonly onStop: () => void;
}

export class Poller<T extends WatchedTask> {
  private readonly subscribers = new Set<Subscriber<T>>();
  private last: { readonly fingerprint: string; readonly task: T } | null = null;
  private polling: AbortController | null = null;
  private started = false;
  private stopped = false;
  private readonly slot: PollSlot;

  constructor(private readonly options: PollerOptions<T>) {
    this.slot = options.schedule({
      client: () => options.owner(),
      run: (priority, maxAgeMs) => this.poll(priority, maxAgeMs),
    });
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** The first subscriber starts the first poll; a later one gets the last known state at once. */
  add(subscriber: Subscriber<T>): void {
    this.subscribers.add(subscriber);
    // A late subscriber gets the last state at once unless its signed URLs have expired since.
    if (this.last && signedUrlsLifetimeMs(this.last.task, this.options.clock.now()) > 0)
      subscriber.push(this.last.task);
    if (!this.started && !this.stopped) {
      this.started = true;
      this.slot.due(this.options.clock.now());
    }
  }

  remove(subscriber: Subscriber<T>): void {
    if (!this.subscribers.delete(subscriber)) return;
    if (this.subscribers.size === 0) this.stop();
  }

  /** Ends every subscriber cleanly (shutdown) and stops. */
  close(): void {
    for (const subscriber of [...this.subscribers]) subscriber.end({ kind: 'complete' });
    this.stop();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.slot.cancel();
    // Nobody needs the answer: the in-flight sharing layer aborts the provider call if no query shares it.
    this.polling?.abort();
    this.polling = null;
    this.options.onStop();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.slot.due(this.options.clock.now() + ms);
  }

  private intervalFor(task: T | undefined): number {
    return task?.state === 'RUNNING' ? this.options.intervals.runningMs : this.options.intervals.waitingMs;
  }

  /** One poll; true when it read the task (a change, no change, or a lasting failure). */
  private async poll(priority: CallPriority, maxAgeMs: number | undefined): Promise<boolean> {
    if (this.stopped) return false;
    const controller = new AbortController();
    this.polling = controller;
    let task: T;
    try {
      task = await this.options.source(this.options.taskId, {
        owner: this.options.owner(),
        priority,
        ...(maxAgeMs !== undefined && { maxAgeMs }),
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted || this.stopped) return false;
      this.polling = null;
      return this.failed(error);
    }
    if (controller.signal.aborted || this.stopped) return false;
    this.polling = null;
    const fingerprint = taskFingerprint(task);
    const changed = this.last?.fingerprint !== fingerprint;
    this.options.onPoll?.(changed ? 'changed' : 'unchanged');
    if (changed) {
      this.last = { fingerprint, task };
      for (const subscriber of this.subscribers) subscriber.push(task);
    }
    if (task.terminal) {
      for (const subscriber of [...this.subscribers]) subscriber.end({ kind: 'complete' });
      this.stop();
      return true;
    }
    this.schedule(this.intervalFor(task));
    return true;
  }

  private failed(error: unknown): boolean {
    // RATE_LIMITED here is this process's own queue being full: it says nothing about the task.
    const transient =
      error instanceof ProviderError
        ? error.retryable || error.kind === 'RATE_LIMITED' || wasEndedByDeadline(error)
        : false;
    if (transient) {
      this.options.onPoll?.('transient_error');
      this.schedule(this.intervalFor(this.last?.task));
      return false;
    }
    this.options.onPoll?.('fatal_error');
    this.options.onFatal?.(error);
    if (!(error instanceof ProviderError)) this.options.onUnexpectedError?.(error);
    const graphQLError = subscriptionError(error);
    for (const subscriber of [...this.subscribers]) subscriber.end({ kind: 'error', error: graphQLError });
    this.stop();
    return true;
  }
}
