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

/** What every provider's watches share: the process-wide caps and who holds them. */
interface WatchesState {
  readonly options: TaskWatchOptions;
  readonly deps: TaskWatchDeps;
  readonly limits: SchedulerLimits;
  readonly perClient: number;
  readonly notFoundTtlMs: number;
  /** Tasks watched, both providers together, for maxWatchedTasks. */
  watchedTasks: number;
  /** Distinct tasks each client watches, both providers together. */
  readonly clientTasks: Map<string, number>;
  closed: boolean;
  readonly closers: Set<() => void>;
}

interface Watched<T extends WatchedTask> {
  readonly poller: Poller<T>;
  /** Subscribers per client, oldest client first (the one charged). */
  readonly clients: Map<string, number>;
}

/** One provider's watches. */
interface ProviderState<T extends WatchedTask> {
  readonly shared: WatchesState;
  readonly provider: ProviderName;
  readonly source: TaskSource<T>;
  readonly watched: Map<string, Watched<T>>;
  /** Tasks that ended with NOT_FOUND, and until when that answer stands. */
  readonly notFound: Map<string, { readonly until: number; readonly error: unknown }>;
  subscribers: number;
  readonly scheduler: RefreshScheduler;
}

interface ProviderWatches<T extends WatchedTask> {
  watch(taskId: string, caller?: WatchCaller): AsyncIterableIterator<TaskEvent<T>>;
  counts(): WatchCounts;
  refresh(): RefreshStats;
}

export function createTaskWatches(
  sources: TaskWatchSources,
  options: TaskWatchOptions,
  deps: TaskWatchDeps,
): TaskWatches {
  const shared: WatchesState = {
    options,
    deps,
    limits: { ...SCHEDULER_DEFAULTS, ...options.scheduler },
    perClient: options.maxWatchedTasksPerClient ?? options.maxWatchedTasks,
    notFoundTtlMs: options.notFoundTtlMs ?? 2_000,
    watchedTasks: 0,
    clientTasks: new Map(),
    closed: false,
    closers: new Set(),
  };
  const image = providerWatches(shared, 'tencent-mps', sources.imageTask);
  const workflow = providerWatches(shared, 'alibaba-ice', sources.workflowTask);
  const of = (provider: ProviderName) => (provider === 'tencent-mps' ? image : workflow);
  return {
    imageTask: (taskId, caller) => image.watch(taskId, caller),
    workflowTask: (taskId, caller) => workflow.watch(taskId, caller),
    counts: (provider) => of(provider).counts(),
    refresh: (provider) => of(provider).refresh(),
    close() {
      shared.closed = true;
      for (const close of shared.closers) close();
    },
  };
}

function providerWatches<T extends WatchedTask>(
  shared: WatchesState,
  provider: ProviderName,
  source: TaskSource<T>,
): ProviderWatches<T> {
  const { clock, quotas } = shared.deps;
  const quota = quotas?.[provider];
  const p: ProviderState<T> = {
    shared,
    provider,
    source,
    watched: new Map(),
    notFound: new Map(),
    subscribers: 0,
    scheduler: createRefreshScheduler({ clock, ...shared.limits, ...(quota && { quota }) }),
  };
  shared.closers.add(() => {
    for (const { poller } of [...p.watched.values()]) poller.close();
    p.scheduler.close();
  });
  return {
    watch: (taskId, caller = {}) => watch(p, taskId, caller),
    counts: () => ({ pollers: p.watched.size, subscribers: p.subscribers }),
    refresh: () => refreshStats(p.scheduler),
  };
}

function watch<T extends WatchedTask>(
  p: ProviderState<T>,
  taskId: string,
  caller: WatchCaller,
): AsyncIterableIterator<TaskEvent<T>> {
  if (p.shared.closed) throw subscriptionLimitError('The subgraph is shutting down; subscribe again in a moment');
  const client = caller.client ?? ANONYMOUS;
  const known = p.notFound.get(taskId);
  if (known !== undefined && !p.watched.has(taskId)) {
    // Answered from the negative cache at no cost to the quota, so no strike: a dashboard may ask again.
    if (known.until > p.shared.deps.clock.now()) return endedAtOnce(p, known.error);
    p.notFound.delete(taskId);
  }
  charge(p, p.watched.get(taskId), client);
  const entry = watchedFor(p, taskId, client);
  const held = entry.clients.get(client) ?? 0;
  if (held === 0) p.shared.clientTasks.set(client, (p.shared.clientTasks.get(client) ?? 0) + 1);
  entry.clients.set(client, held + 1);
  p.subscribers += 1;
  return subscribe(p, entry, client);
}

/** A subscriber of the task's poller, ended after maxDurationMs. */
function subscribe<T extends WatchedTask>(p: ProviderState<T>, entry: Watched<T>, client: string): Subscriber<T> {
  const { clock, events } = p.shared.deps;
  const { maxDurationMs } = p.shared.options;
  const expiry = clock.setTimeout(
    () => subscriber.end({ kind: 'error', error: subscriptionExpiredError(maxDurationMs) }),
    maxDurationMs,
  );
  const subscriber: Subscriber<T> = new Subscriber<T>({
    onEnd: () => {
      clock.clearTimeout(expiry);
      p.subscribers -= 1;
      release(p.shared, entry, client);
      entry.poller.remove(subscriber);
    },
    onDelivered: (kind) => events?.onEventSent?.(p.provider, kind),
  });
  entry.poller.add(subscriber);
  return subscriber;
}

/** One subscriber of `client` left the task: its budget comes back with its last one. */
function release<T extends WatchedTask>(shared: WatchesState, entry: Watched<T>, client: string): void {
  const left = (entry.clients.get(client) ?? 1) - 1;
  if (left > 0) {
    entry.clients.set(client, left);
    return;
  }
  entry.clients.delete(client);
  const tasks = (shared.clientTasks.get(client) ?? 1) - 1;
  if (tasks > 0) shared.clientTasks.set(client, tasks);
  else shared.clientTasks.delete(client);
}

function rememberNotFound<T extends WatchedTask>(p: ProviderState<T>, taskId: string, error: unknown): void {
  const now = p.shared.deps.clock.now();
  const { maxWatchedTasks } = p.shared.options;
  // Bounded by the watched-task cap: expired entries go whenever it is reached.
  if (p.notFound.size >= maxWatchedTasks)
    for (const [id, entry] of p.notFound) if (entry.until <= now) p.notFound.delete(id);
  if (p.notFound.size < maxWatchedTasks) p.notFound.set(taskId, { until: now + p.shared.notFoundTtlMs, error });
}

/** The task's poller and its clients, made when the task is not watched yet. */
function watchedFor<T extends WatchedTask>(p: ProviderState<T>, taskId: string, client: string): Watched<T> {
  const existing = p.watched.get(taskId);
  if (existing) return existing;
  const { shared, provider } = p;
  if (shared.watchedTasks >= shared.options.maxWatchedTasks) {
    throw subscriptionLimitError(
      `This subgraph already watches ${shared.watchedTasks} tasks, the most it may (SUBSCRIPTION_MAX_WATCHED_TASKS); subscribe to a task already watched or try later`,
    );
  }
  const { clock, events } = shared.deps;
  const clients = new Map<string, number>();
  const poller: Poller<T> = new Poller<T>({
    taskId,
    source: p.source,
    intervals: shared.options.intervals,
    clock,
    schedule: (poll) => p.scheduler.register(poll),
    owner: () => ownerOf(clients.keys().next().value ?? client),
    onPoll: (outcome) => events?.onPoll?.(provider, outcome),
    onFatal: (error) => {
      if (!(error instanceof ProviderError && error.kind === 'NOT_FOUND')) return;
      rememberNotFound(p, taskId, error);
      for (const struck of clients.keys()) p.scheduler.penalise(ownerOf(struck), taskId);
    },
    onUnexpectedError: (error) => events?.onUnexpectedError?.(provider, taskId, error),
    onStop: () => {
      if (p.watched.get(taskId)?.poller !== poller) return;
      p.watched.delete(taskId);
      shared.watchedTasks -= 1;
    },
  });
  const entry: Watched<T> = { poller, clients };
  p.watched.set(taskId, entry);
  shared.watchedTasks += 1;
  return entry;
}

/** Takes one of the client's budget for this task, unless it already watches it. */
function charge<T extends WatchedTask>(p: ProviderState<T>, entry: Watched<T> | undefined, client: string): void {
  if (entry?.clients.has(client)) return;
  const held = p.shared.clientTasks.get(client) ?? 0;
  if (held >= p.shared.perClient) {
    p.shared.deps.events?.onClientBudgetRefused?.(p.provider);
    throw subscriptionLimitError(
      `This client already watches ${held} tasks, the most one client may (SUBSCRIPTION_MAX_WATCHED_TASKS_PER_CLIENT); end a subscription or subscribe to a task it already watches`,
    );
  }
}

function endedAtOnce<T extends WatchedTask>(p: ProviderState<T>, error: unknown): Subscriber<T> {
  const subscriber = new Subscriber<T>({
    onEnd: () => undefined,
    onDelivered: (kind) => p.shared.deps.events?.onEventSent?.(p.provider, kind),
  });
  subscriber.end({ kind: 'error', error: subscriptionError(error) });
  return subscriber;
}

function refreshStats(scheduler: RefreshScheduler): RefreshStats {
  const backlog = scheduler.backlog();
  return {
    effectiveIntervalMs: scheduler.effectiveIntervalMs(),
    firstReadsDue: backlog.firstRead,
    refreshesDue: backlog.refresh,
  };
}
