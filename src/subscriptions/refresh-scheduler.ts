/**
 * One scheduler per provider starts the polls that are due from the quota the queries leave:
 * first reads first (round-robin between clients, a client struck by NOT_FOUND endings waiting
 * `strikeCostMs` per strike), then refreshes stalest first, so a short quota stretches every task
 * evenly; at most `maxInFlight` polls at once and `maxWaiting` of a class in the rate limiter's
 * queue. Why: docs/architecture.md, "The refresh scheduler".
 */
import type { CallPriority } from '../sources/task-source.js';
import type { Clock, TimerHandle } from '../upstream/clock.js';

/** What the scheduler needs of the provider's rate limiter. */
export interface SpareQuota {
  waitingIn(priority: CallPriority): number;
  /** Called after every grant from the limiter's queue: a place there has freed up. */
  onGrant(listener: (priority: CallPriority) => void): () => void;
}

export interface RefreshSchedulerOptions {
  readonly clock: Clock;
  /** Polls running at once, at most. */
  readonly maxInFlight: number;
  /** Polls of one class waiting in the rate limiter, at most, before another is started. */
  readonly maxWaiting: number;
  readonly quota?: SpareQuota;
  /** What a new task watched costs a client per NOT_FOUND strike: its next first read waits this long. */
  readonly strikeCostMs: number;
  /** Strikes a client carries, at most. */
  readonly maxStrikes: number;
  /** A strike is forgiven after this long. */
  readonly strikeDecayMs: number;
  /** How many recent refresh intervals the effective interval is the mean of. */
  readonly intervalSamples?: number;
}

/** A poller's side of the schedule. */
export interface ScheduledPoll {
  /** Who is charged for the poll (the client whose subscription made the poller). */
  client(): string;
  /**
   * Runs the poll; resolves true when it read the task (success or a lasting answer), false on a
   * transient failure. A refresh gets the time since the task's last read: another replica's
   * answer stored since then is as good as a provider call.
   */
  run(priority: CallPriority, maxAgeMs?: number): Promise<boolean>;
}

export interface PollSlot {
  /** The poll is due at `at` (epoch ms); replaces an earlier due time. */
  due(at: number): void;
  /** The poller stopped: never run it again. */
  cancel(): void;
}

export interface RefreshScheduler {
  register(poll: ScheduledPoll): PollSlot;
  /** A watch of `client` ended with NOT_FOUND. */
  /** One strike per distinct unknown task: a client that asks again about the same one is not struck again. */
  penalise(client: string, taskId: string): void;
  /** Tasks registered now. */
  readonly size: number;
  /** Mean interval between two reads of one task over the recent refreshes; 0 before any. */
  effectiveIntervalMs(): number;
  /** Polls due and not started, by class. */
  backlog(): { readonly firstRead: number; readonly refresh: number };
  close(): void;
}

interface Entry {
  readonly poll: ScheduledPoll;
  dueAt: number | undefined;
  lastReadAt: number | undefined;
  running: boolean;
  cancelled: boolean;
}

interface ClientState {
  strikes: number;
  /** The unknown tasks its current strikes are for (at most maxStrikes). */
  readonly struckTasks: Set<string>;
  struckAt: number;
  /** Its next first read may not start before this. */
  notBefore: number;
  /** When its last first read started, for the round-robin between clients. */
  lastServedAt: number;
}

/** Clients remembered at once; past it, those owing nothing are forgotten. */
const MAX_CLIENTS_KEPT = 10_000;

/** One scheduler's state, shared by the functions below. */
interface SchedulerState {
  readonly options: RefreshSchedulerOptions;
  readonly clock: Clock;
  readonly entries: Set<Entry>;
  readonly clients: Map<string, ClientState>;
  /** The recent refresh intervals, at most `samples`. */
  readonly intervals: number[];
  readonly samples: number;
  inFlight: number;
  timer: TimerHandle | undefined;
  timerAt: number;
  closed: boolean;
  serial: number;
}

export function createRefreshScheduler(options: RefreshSchedulerOptions): RefreshScheduler {
  const s: SchedulerState = {
    options,
    clock: options.clock,
    entries: new Set(),
    clients: new Map(),
    intervals: [],
    samples: options.intervalSamples ?? 200,
    inFlight: 0,
    timer: undefined,
    timerAt: Number.POSITIVE_INFINITY,
    closed: false,
    serial: 0,
  };
  const unsubscribe = options.quota?.onGrant(() => pump(s));
  return {
    register: (poll) => register(s, poll),
    penalise: (client, taskId) => penalise(s, client, taskId),
    get size() {
      return s.entries.size;
    },
    effectiveIntervalMs: () => meanInterval(s.intervals),
    backlog: () => backlog(s),
    close() {
      s.closed = true;
      unsubscribe?.();
      stopTimer(s);
      s.entries.clear();
    },
  };
}

function register(s: SchedulerState, poll: ScheduledPoll): PollSlot {
  const entry: Entry = { poll, dueAt: undefined, lastReadAt: undefined, running: false, cancelled: false };
  s.entries.add(entry);
  return {
    due(at) {
      if (entry.cancelled) return;
      entry.dueAt = at;
      pump(s);
    },
    cancel() {
      entry.cancelled = true;
      entry.dueAt = undefined;
      s.entries.delete(entry);
      // Nothing left to wake up for: no timer outlives the last poller.
      if (s.entries.size === 0) stopTimer(s);
    },
  };
}

function penalise(s: SchedulerState, client: string, taskId: string): void {
  const now = s.clock.now();
  const state = clientState(s, client);
  forgive(s, state, now);
  if (state.struckTasks.has(taskId)) return;
  if (state.struckTasks.size >= s.options.maxStrikes) state.struckTasks.clear();
  state.struckTasks.add(taskId);
  if (state.strikes === 0) state.struckAt = now;
  state.strikes = Math.min(s.options.maxStrikes, state.strikes + 1);
  state.notBefore = Math.max(state.notBefore, now + state.strikes * s.options.strikeCostMs);
}

function meanInterval(intervals: readonly number[]): number {
  if (intervals.length === 0) return 0;
  return intervals.reduce((sum, ms) => sum + ms, 0) / intervals.length;
}

function backlog(s: SchedulerState): { readonly firstRead: number; readonly refresh: number } {
  const now = s.clock.now();
  let firstRead = 0;
  let refresh = 0;
  for (const entry of s.entries) {
    if (entry.running || entry.dueAt === undefined || entry.dueAt > now) continue;
    if (entry.lastReadAt === undefined) firstRead += 1;
    else refresh += 1;
  }
  return { firstRead, refresh };
}

function clientState(s: SchedulerState, client: string): ClientState {
  let state = s.clients.get(client);
  if (state === undefined) {
    if (s.clients.size >= MAX_CLIENTS_KEPT) sweep(s, s.clock.now());
    state = { strikes: 0, struckTasks: new Set(), struckAt: 0, notBefore: 0, lastServedAt: 0 };
    s.clients.set(client, state);
  }
  return state;
}

/** Forgets the clients that owe nothing. */
function sweep(s: SchedulerState, now: number): void {
  for (const [client, state] of s.clients) {
    forgive(s, state, now);
    if (state.strikes === 0 && state.notBefore <= now) s.clients.delete(client);
  }
}

function forgive(s: SchedulerState, state: ClientState, now: number): void {
  if (state.strikes === 0) return;
  const forgiven = Math.floor((now - state.struckAt) / s.options.strikeDecayMs);
  if (forgiven <= 0) return;
  state.strikes = Math.max(0, state.strikes - forgiven);
  state.struckAt += forgiven * s.options.strikeDecayMs;
  if (state.strikes === 0) state.struckTasks.clear();
}

function roomFor(s: SchedulerState, priority: CallPriority): boolean {
  return s.inFlight < s.options.maxInFlight && (s.options.quota?.waitingIn(priority) ?? 0) < s.options.maxWaiting;
}

interface Pick {
  readonly entry: Entry | undefined;
  readonly priority: CallPriority;
  /** When the next poll not yet due falls due. */
  readonly nextAt: number;
}

/** The next poll to start: a first read (client served longest ago first), else the stalest due refresh. */
function pick(s: SchedulerState, now: number): Pick {
  let firstRead: Entry | undefined;
  let firstReadServedAt = Number.POSITIVE_INFINITY;
  let refresh: Entry | undefined;
  let nextAt = Number.POSITIVE_INFINITY;
  for (const entry of s.entries) {
    if (entry.running || entry.dueAt === undefined) continue;
    let startAt = entry.dueAt;
    if (entry.lastReadAt === undefined) {
      const state = s.clients.get(entry.poll.client());
      if (state !== undefined) startAt = Math.max(startAt, state.notBefore);
      if (startAt > now) {
        nextAt = Math.min(nextAt, startAt);
        continue;
      }
      const servedAt = state?.lastServedAt ?? 0;
      if (servedAt < firstReadServedAt) {
        firstRead = entry;
        firstReadServedAt = servedAt;
      }
      continue;
    }
    if (startAt > now) {
      nextAt = Math.min(nextAt, startAt);
      continue;
    }
    if (refresh === undefined || entry.lastReadAt < refresh.lastReadAt!) refresh = entry;
  }
  if (firstRead !== undefined) return { entry: firstRead, priority: 'first_read', nextAt };
  return { entry: refresh, priority: 'refresh', nextAt };
}

function start(s: SchedulerState, entry: Entry, priority: CallPriority, now: number): void {
  entry.running = true;
  entry.dueAt = undefined;
  s.inFlight += 1;
  if (priority === 'first_read') {
    const state = clientState(s, entry.poll.client());
    forgive(s, state, now);
    s.serial += 1;
    // Ties between clients served in the same millisecond still go round-robin.
    state.lastServedAt = now + s.serial / 1e6;
    if (state.strikes > 0) state.notBefore = now + state.strikes * s.options.strikeCostMs;
  }
  const previous = entry.lastReadAt;
  const maxAgeMs = priority === 'refresh' && previous !== undefined ? now - previous : undefined;
  void entry.poll.run(priority, maxAgeMs).then(
    (read) => settle(s, entry, read, previous),
    () => settle(s, entry, false, previous),
  );
}

function settle(s: SchedulerState, entry: Entry, read: boolean, previous: number | undefined): void {
  entry.running = false;
  s.inFlight -= 1;
  if (read) {
    const now = s.clock.now();
    entry.lastReadAt = now;
    if (previous !== undefined) {
      s.intervals.push(now - previous);
      if (s.intervals.length > s.samples) s.intervals.shift();
    }
  }
  pump(s);
}

function sleepUntil(s: SchedulerState, at: number, now: number): void {
  if (at === Number.POSITIVE_INFINITY || at >= s.timerAt) return;
  if (s.timer !== undefined) s.clock.clearTimeout(s.timer);
  s.timerAt = at;
  s.timer = s.clock.setTimeout(() => {
    s.timer = undefined;
    s.timerAt = Number.POSITIVE_INFINITY;
    pump(s);
  }, at - now);
}

function stopTimer(s: SchedulerState): void {
  if (s.timer !== undefined) s.clock.clearTimeout(s.timer);
  s.timer = undefined;
  s.timerAt = Number.POSITIVE_INFINITY;
}

/** Starts every poll that is due while there is room, then sleeps until the next falls due. */
function pump(s: SchedulerState): void {
  if (s.closed) return;
  for (;;) {
    const now = s.clock.now();
    const { entry, priority, nextAt } = pick(s, now);
    if (entry === undefined) {
      sleepUntil(s, nextAt, now);
      return;
    }
    // No room: a settle or a grant from the limiter's queue pumps again.
    if (!roomFor(s, priority)) return;
    start(s, entry, priority, now);
  }
}
