/**
 * The poller registry: one poller per provider and task id, shared by every subscriber of that task
 * in the process, created once per process over the loaders' upstream sources. Subscribers are
 * ref-counted (the first starts the poller, the last stops it); each subscription ends after
 * `maxDurationMs`, and at most `maxWatchedTasks` tasks are watched at once.
 */
import type { ImageTaskModel, WorkflowTaskModel } from '../parsing/models.js';
import type { ProviderName } from '../providers/errors.js';
import type { TaskSource } from '../sources/task-source.js';
import type { Clock } from '../upstream/clock.js';
import { subscriptionExpiredError, subscriptionLimitError } from './errors.js';
import { Poller, type PollIntervals, type PollOutcome, type WatchedTask } from './poller.js';
import { Subscriber, type TaskEvent } from './subscriber.js';

export interface TaskWatchOptions {
  readonly intervals: PollIntervals;
  /** SUBSCRIPTION_MAX_DURATION_MS. */
  readonly maxDurationMs: number;
  /** SUBSCRIPTION_MAX_WATCHED_TASKS: distinct tasks polled at once, both providers together. */
  readonly maxWatchedTasks: number;
}

export interface TaskWatchEvents {
  onPoll(provider: ProviderName, outcome: PollOutcome): void;
  onEventSent(provider: ProviderName, kind: TaskEvent<unknown>['kind']): void;
  onUnexpectedError(provider: ProviderName, taskId: string, error: unknown): void;
}

export interface TaskWatchDeps {
  readonly clock: Clock;
  readonly events?: Partial<TaskWatchEvents>;
}

export interface TaskWatchSources {
  readonly imageTask: TaskSource<ImageTaskModel>;
  readonly workflowTask: TaskSource<WorkflowTaskModel>;
}

export interface WatchCounts {
  readonly pollers: number;
  readonly subscribers: number;
}

export interface TaskWatches {
  /** Events for one image task; throws SUBSCRIPTION_LIMIT when a new task would pass maxWatchedTasks. */
  imageTask(taskId: string): AsyncIterableIterator<TaskEvent<ImageTaskModel>>;
  workflowTask(taskId: string): AsyncIterableIterator<TaskEvent<WorkflowTaskModel>>;
  counts(provider: ProviderName): WatchCounts;
  /** Shutdown: every subscription completes, every poller stops; later watches are refused. */
  close(): void;
}

export function createTaskWatches(sources: TaskWatchSources, options: TaskWatchOptions, deps: TaskWatchDeps): TaskWatches {
  const { clock, events } = deps;
  /** Tasks watched, both providers together, for maxWatchedTasks. */
  let watchedTasks = 0;
  let closed = false;
  const closers = new Set<() => void>();

  function providerWatches<T extends WatchedTask>(provider: ProviderName, source: TaskSource<T>) {
    const pollers = new Map<string, Poller<T>>();
    let subscribers = 0;
    closers.add(() => {
      for (const poller of [...pollers.values()]) poller.close();
    });

    function pollerFor(taskId: string): Poller<T> {
      const existing = pollers.get(taskId);
      if (existing) return existing;
      if (watchedTasks >= options.maxWatchedTasks) {
        throw subscriptionLimitError(
          `This subgraph already watches ${watchedTasks} tasks, the most it may (SUBSCRIPTION_MAX_WATCHED_TASKS); subscribe to a task already watched or try later`,
        );
      }
      const created: Poller<T> = new Poller<T>({
        taskId,
        source,
        intervals: options.intervals,
        clock,
        owner: `subscription:${provider}:${taskId}`,
        onPoll: (outcome) => events?.onPoll?.(provider, outcome),
        onUnexpectedError: (error) => events?.onUnexpectedError?.(provider, taskId, error),
        onStop: () => {
          if (pollers.get(taskId) !== created) return;
          pollers.delete(taskId);
          watchedTasks -= 1;
        },
      });
      pollers.set(taskId, created);
      watchedTasks += 1;
      return created;
    }

    return {
      watch(taskId: string): AsyncIterableIterator<TaskEvent<T>> {
        if (closed) throw subscriptionLimitError('The subgraph is shutting down; subscribe again in a moment');
        const poller = pollerFor(taskId);
        subscribers += 1;
        const expiry = clock.setTimeout(
          () => subscriber.end({ kind: 'error', error: subscriptionExpiredError(options.maxDurationMs) }),
          options.maxDurationMs,
        );
        const subscriber: Subscriber<T> = new Subscriber<T>({
          onEnd: () => {
            clock.clearTimeout(expiry);
            subscribers -= 1;
            poller.remove(subscriber);
          },
          onDelivered: (kind) => events?.onEventSent?.(provider, kind),
        });
        poller.add(subscriber);
        return subscriber;
      },
      counts: (): WatchCounts => ({ pollers: pollers.size, subscribers }),
    };
  }

  const image = providerWatches('tencent-mps', sources.imageTask);
  const workflow = providerWatches('alibaba-ice', sources.workflowTask);
  return {
    imageTask: (taskId) => image.watch(taskId),
    workflowTask: (taskId) => workflow.watch(taskId),
    counts: (provider) => (provider === 'tencent-mps' ? image : workflow).counts(),
    close() {
      closed = true;
      for (const close of closers) close();
    },
  };
}
