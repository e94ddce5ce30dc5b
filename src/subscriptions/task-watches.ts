/**
 * The poller registry: one poller per provider and task id, shared by every subscriber of that task
 * in the process, created once per process over the loaders' upstream sources. Subscribers are
 * ref-counted (the first starts the poller, the last stops it); each subscription ends after
 * `maxDurationMs`, and at most `maxWatchedTasks` tasks are watched at once.
 * Each provider's pollers take turns from one refresh scheduler; a poller's calls are charged to the
 * oldest client still watching it (one owner per client in the fair queue), each client watches at
 * most `maxWatchedTasksPerClient` tasks, and a task that just ended NOT_FOUND ends a new watch at
 * once, with no provider call, counting against that client (the scheduler's penalty).
 */
import type { ImageTaskModel, WorkflowTaskModel } from '../parsing/models.js';
import { ProviderError, type ProviderName } from '../providers/errors.js';
import type { TaskSource } from '../sources/task-source.js';
import type { Clock } from '../upstream/clock.js';
import { subscriptionError, subscriptionExpiredError, subscriptionLimitError } from './errors.js';
import { Poller, type PollIntervals, type PollOutcome, type WatchedTask } from './poller.js';
import { createRefreshScheduler, type RefreshScheduler, type SpareQuota } from './refresh-scheduler.js';
import { Subscriber, type TaskEvent } from './subscriber.js';

export interface TaskWatchOptions {
  readonly intervals: PollIntervals;
  /** SUBSCRIPTION_MAX_DURATION_MS. */
  readonly maxDurationMs: number;
  /** SUBSCRIPTION_MAX_WATCHED_TASKS: distinct tasks polled at once, both providers together. */
  readonly maxWatchedTasks: number;
  /** Distinct tasks one client may watch at once, both providers together; default: maxWatchedTasks. */
  readonly maxWatchedTasksPerClient?: number;
  /** How long a NOT_FOUND ending is remembered for a new watch of the same task; default 2 s. */
  readonly notFoundTtlMs?: number;
  /** Each provider's refresh scheduler. */
  readonly scheduler?: Partial<SchedulerLimits>;
}

export interface SchedulerLimits {
  /** Polls of one provider running at once; default 5. */
  readonly maxInFlight: number;
  /** Polls of one class waiting for the rate limiter before another starts; default 2. */
  readonly maxWaiting: number;
  /** A client's next new task waits this long per NOT_FOUND strike; default 1 s. */
  readonly strikeCostMs: number;
  /** Default 20. */
  readonly maxStrikes: number;
  /** Default 30 s. */
  readonly strikeDecayMs: number;
}

const SCHEDULER_DEFAULTS: SchedulerLimits = {
  maxInFlight: 5,
  maxWaiting: 2,
  strikeCostMs: 1_000,
  maxStrikes: 20,
  strikeDecayMs: 30_000,
};

export interface TaskWatchEvents {
  onPoll(provider: ProviderName, outcome: PollOutcome): void;
  onEventSent(provider: ProviderName, kind: TaskEvent<unknown>['kind']): void;
  onUnexpectedError(provider: ProviderName, taskId: string, error: unknown): void;
  /** A watch refused because its client already watches maxWatchedTasksPerClient tasks. */
  onClientBudgetRefused(provider: ProviderName): void;
}

export interface TaskWatchDeps {
  readonly clock: Clock;
  readonly events?: Partial<TaskWatchEvents>;
  /** Each provider's rate limiter, for its scheduler to see how many polls wait. */
  readonly quotas?: Partial<Record<ProviderName, SpareQuota>>;
}

export interface TaskWatchSources {
  readonly imageTask: TaskSource<ImageTaskModel>;
  readonly workflowTask: TaskSource<WorkflowTaskModel>;
}

export interface WatchCounts {
  readonly pollers: number;
  readonly subscribers: number;
}

/** How fresh a provider's watched tasks are kept. */
export interface RefreshStats {
  /** Mean interval between two reads of a watched task over the recent refreshes; 0 before any. */
  readonly effectiveIntervalMs: number;
  readonly firstReadsDue: number;
  readonly refreshesDue: number;
}

/** Who a watch is charged to. */
export interface WatchCaller {
  /** A WebSocket connection, a callback subscription; watches without one share `anonymous`. */
  readonly client?: string | undefined;
}

export interface TaskWatches {
  /** Events for one image task; throws SUBSCRIPTION_LIMIT when a new task would pass maxWatchedTasks or the client's budget. */
  imageTask(taskId: string, caller?: WatchCaller): AsyncIterableIterator<TaskEvent<ImageTaskModel>>;
  workflowTask(taskId: string, caller?: WatchCaller): AsyncIterableIterator<TaskEvent<WorkflowTaskModel>>;
  counts(provider: ProviderName): WatchCounts;
  refresh(provider: ProviderName): RefreshStats;
  /** Shutdown: every subscription completes, every poller stops; later watches are refused. */
  close(): void;
}

const ANONYMOUS = 'anonymous';

/** A client's name in the rate limiter's fair queue and the scheduler, apart from queries' `request-N`. */
const ownerOf = (client: string): string => `client:${client}`;

export function createTaskWatches(
  sources: TaskWatchSources,
  options: TaskWatchOptions,
  deps: TaskWatchDeps,
): TaskWatches {
  const { clock, events } = deps;
  const limits: SchedulerLimits = { ...SCHEDULER_DEFAULTS, ...options.scheduler };
  const perClient = options.maxWatchedTasksPerClient ?? options.maxWatchedTasks;
  const notFoundTtlMs = options.notFoundTtlMs ?? 2_000;
  /** Tasks watched, both providers together, for maxWatchedTasks. */
  let watchedTasks = 0;
  /** Distinct tasks each client watches, both providers together. */
  const clientTasks = new Map<string, number>();
  let closed = false;
  const closers = new Set<() => void>();

  function providerWatches<T extends WatchedTask>(provider: ProviderName, source: TaskSource<T>) {
    interface Watched {
      readonly poller: Poller<T>;
      /** Subscribers per client, oldest client first (the one charged). */
      readonly clients: Map<string, number>;
    }
    const watched = new Map<string, Watched>();
    /** Tasks that ended with NOT_FOUND, and until when that answer stands. */
    const notFound = new Map<string, { readonly until: number; readonly error: unknown }>();
    let subscribers = 0;
    const quota = deps.quotas?.[provider];
    const scheduler: RefreshScheduler = createRefreshScheduler({ clock, ...limits, ...(quota && { quota }) });
    closers.add(() => {
      for (const { poller } of [...watched.values()]) poller.close();
      scheduler.close();
    });

    function rememberNotFound(taskId: string, error: unknown): void {
      const now = clock.now();
      // Bounded by the watched-task cap: expired entries go whenever it is reached.
      if (notFound.size >= options.maxWatchedTasks)
        for (const [id, entry] of notFound) if (entry.until <= now) notFound.delete(id);
      if (notFound.size < options.maxWatchedTasks) notFound.set(taskId, { until: now + notFoundTtlMs, error });
    }

    function watchedFor(taskId: string, client: string): Watched {
      const existing = watched.get(taskId);
      if (existing) return existing;
      if (watchedTasks >= options.maxWatchedTasks) {
        throw subscriptionLimitError(
          `This subgraph already watches ${watchedTasks} tasks, the most it may (SUBSCRIPTION_MAX_WATCHED_TASKS); subscribe to a task already watched or try later`,
        );
      }
      const clients = new Map<string, number>();
      const poller: Poller<T> = new Poller<T>({
        taskId,
        source,
        intervals: options.intervals,
        clock,
        schedule: (poll) => scheduler.register(poll),
        owner: () => ownerOf(clients.keys().next().value ?? client),
        onPoll: (outcome) => events?.onPoll?.(provider, outcome),
        onFatal: (error) => {
          if (!(error instanceof ProviderError && error.kind === 'NOT_FOUND')) return;
          rememberNotFound(taskId, error);
          for (const struck of clients.keys()) scheduler.penalise(ownerOf(struck));
        },
        onUnexpectedError: (error) => events?.onUnexpectedError?.(provider, taskId, error),
        onStop: () => {
          if (watched.get(taskId)?.poller !== poller) return;
          watched.delete(taskId);
          watchedTasks -= 1;
        },
      });
      const entry: Watched = { poller, clients };
      watched.set(taskId, entry);
      watchedTasks += 1;
      return entry;
    }

    /** Takes one of the client's budget for this task, unless it already watches it. */
    function charge(entry: Watched | undefined, client: string): void {
      if (entry?.clients.has(client)) return;
      const held = clientTasks.get(client) ?? 0;
      if (held >= perClient) {
        events?.onClientBudgetRefused?.(provider);
        throw subscriptionLimitError(
          `This client already watches ${held} tasks, the most one client may (SUBSCRIPTION_MAX_WATCHED_TASKS_PER_CLIENT); end a subscription or subscribe to a task it already watches`,
        );
      }
    }

    function endedAtOnce(error: unknown): Subscriber<T> {
      const subscriber = new Subscriber<T>({
        onEnd: () => undefined,
        onDelivered: (kind) => events?.onEventSent?.(provider, kind),
      });
      subscriber.end({ kind: 'error', error: subscriptionError(error) });
      return subscriber;
    }

    return {
      watch(taskId: string, caller: WatchCaller = {}): AsyncIterableIterator<TaskEvent<T>> {
        if (closed) throw subscriptionLimitError('The subgraph is shutting down; subscribe again in a moment');
        const client = caller.client ?? ANONYMOUS;
        const known = notFound.get(taskId);
        if (known !== undefined && !watched.has(taskId)) {
          if (known.until > clock.now()) {
            scheduler.penalise(ownerOf(client));
            return endedAtOnce(known.error);
          }
          notFound.delete(taskId);
        }
        charge(watched.get(taskId), client);
        const entry = watchedFor(taskId, client);
        const held = entry.clients.get(client) ?? 0;
        if (held === 0) clientTasks.set(client, (clientTasks.get(client) ?? 0) + 1);
        entry.clients.set(client, held + 1);
        subscribers += 1;
        const expiry = clock.setTimeout(
          () => subscriber.end({ kind: 'error', error: subscriptionExpiredError(options.maxDurationMs) }),
          options.maxDurationMs,
        );
        const subscriber: Subscriber<T> = new Subscriber<T>({
          onEnd: () => {
            clock.clearTimeout(expiry);
            subscribers -= 1;
            const left = (entry.clients.get(client) ?? 1) - 1;
            if (left > 0) {
              entry.clients.set(client, left);
            } else {
              entry.clients.delete(client);
              const tasks = (clientTasks.get(client) ?? 1) - 1;
              if (tasks > 0) clientTasks.set(client, tasks);
              else clientTasks.delete(client);
            }
            entry.poller.remove(subscriber);
          },
          onDelivered: (kind) => events?.onEventSent?.(provider, kind),
        });
        entry.poller.add(subscriber);
        return subscriber;
      },
      counts: (): WatchCounts => ({ pollers: watched.size, subscribers }),
      refresh: (): RefreshStats => {
        const backlog = scheduler.backlog();
        return {
          effectiveIntervalMs: scheduler.effectiveIntervalMs(),
          firstReadsDue: backlog.firstRead,
          refreshesDue: backlog.refresh,
        };
      },
    };
  }

  const image = providerWatches('tencent-mps', sources.imageTask);
  const workflow = providerWatches('alibaba-ice', sources.workflowTask);
  const of = (provider: ProviderName) => (provider === 'tencent-mps' ? image : workflow);
  return {
    imageTask: (taskId, caller) => image.watch(taskId, caller),
    workflowTask: (taskId, caller) => workflow.watch(taskId, caller),
    counts: (provider) => of(provider).counts(),
    refresh: (provider) => of(provider).refresh(),
    close() {
      closed = true;
      for (const close of closers) close();
    },
  };
}
