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
  penalise(client: string): void;
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
  struckAt: number;
  /** Its next first read may not start before this. */
  notBefore: number;
  /** When its last first read started, for the round-robin between clients. */
  lastServedAt: number;
}

/** Clients remembered at once; past it, those owing nothing are forgotten. */
const MAX_CLIENTS_KEPT = 10_000;

export function createRefreshScheduler(options: RefreshSchedulerOptions): RefreshScheduler {
  const { clock } = options;
  const entries = new Set<Entry>();
  const clients = new Map<string, ClientState>();
  const intervals: number[] = [];
  const samples = options.intervalSamples ?? 200;
  let inFlight = 0;
  let timer: TimerHandle | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  let closed = false;
  let serial = 0;
  const unsubscribe = options.quota?.onGrant(() => pump());

  const clientState = (client: string): ClientState => {
    let state = clients.get(client);
    if (state === undefined) {
      if (clients.size >= MAX_CLIENTS_KEPT) sweep(clock.now());
      state = { strikes: 0, struckAt: 0, notBefore: 0, lastServedAt: 0 };
      clients.set(client, state);
    }
    return state;
  };

  const sweep = (now: number): void => {
    for (const [client, state] of clients) {
      forgive(state, now);
      if (state.strikes === 0 && state.notBefore <= now) clients.delete(client);
    }
  };

  const forgive = (state: ClientState, now: number): void => {
    if (state.strikes === 0) return;
    const forgiven = Math.floor((now - state.struckAt) / options.strikeDecayMs);
    if (forgiven <= 0) return;
    state.strikes = Math.max(0, state.strikes - forgiven);
    state.struckAt += forgiven * options.strikeDecayMs;
  };

  const roomFor = (priority: CallPriority): boolean =>
    inFlight < options.maxInFlight && (options.quota?.waitingIn(priority) ?? 0) < options.maxWaiting;

  /** The next poll to start: a first read (client served longest ago first), else the stalest due refresh; and when the next one falls due. */
  const pick = (now: number): { entry: Entry | undefined; priority: CallPriority; nextAt: number } => {
    let firstRead: Entry | undefined;
    let firstReadServedAt = Number.POSITIVE_INFINITY;
    let refresh: Entry | undefined;
    let nextAt = Number.POSITIVE_INFINITY;
    for (const entry of entries) {
      if (entry.running || entry.dueAt === undefined) continue;
      let startAt = entry.dueAt;
      if (entry.lastReadAt === undefined) {
        const state = clients.get(entry.poll.client());
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
  };

  const start = (entry: Entry, priority: CallPriority, now: number): void => {
    entry.running = true;
    entry.dueAt = undefined;
    inFlight += 1;
    if (priority === 'first_read') {
      const state = clientState(entry.poll.client());
      forgive(state, now);
      serial += 1;
      // Ties between clients served in the same millisecond still go round-robin.
      state.lastServedAt = now + serial / 1e6;
      if (state.strikes > 0) state.notBefore = now + state.strikes * options.strikeCostMs;
    }
    const previous = entry.lastReadAt;
    const maxAgeMs = priority === 'refresh' && previous !== undefined ? now - previous : undefined;
    void entry.poll.run(priority, maxAgeMs).then(
      (read) => settle(entry, read, previous),
      () => settle(entry, false, previous),
    );
  };

  const settle = (entry: Entry, read: boolean, previous: number | undefined): void => {
    entry.running = false;
    inFlight -= 1;
    if (read) {
      const now = clock.now();
      entry.lastReadAt = now;
      if (previous !== undefined) {
        intervals.push(now - previous);
        if (intervals.length > samples) intervals.shift();
      }
    }
    pump();
  };

  const sleepUntil = (at: number, now: number): void => {
    if (at === Number.POSITIVE_INFINITY || at >= timerAt) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = at;
    timer = clock.setTimeout(() => {
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
      pump();
    }, at - now);
  };

  function pump(): void {
    if (closed) return;
    for (;;) {
      const now = clock.now();
      const { entry, priority, nextAt } = pick(now);
      if (entry === undefined) {
        sleepUntil(nextAt, now);
        return;
      }
      // No room: a settle or a grant from the limiter's queue pumps again.
      if (!roomFor(priority)) return;
      start(entry, priority, now);
    }
  }

  return {
    register(poll) {
      const entry: Entry = { poll, dueAt: undefined, lastReadAt: undefined, running: false, cancelled: false };
      entries.add(entry);
      return {
        due(at) {
          if (entry.cancelled) return;
          entry.dueAt = at;
          pump();
        },
        cancel() {
          entry.cancelled = true;
          entry.dueAt = undefined;
          entries.delete(entry);
          // Nothing left to wake up for: no timer outlives the last poller.
          if (entries.size === 0 && timer !== undefined) {
            clock.clearTimeout(timer);
            timer = undefined;
            timerAt = Number.POSITIVE_INFINITY;
          }
        },
      };
    },
    penalise(client) {
      const now = clock.now();
      const state = clientState(client);
      forgive(state, now);
      if (state.strikes === 0) state.struckAt = now;
      state.strikes = Math.min(options.maxStrikes, state.strikes + 1);
      state.notBefore = Math.max(state.notBefore, now + state.strikes * options.strikeCostMs);
    },
    get size() {
      return entries.size;
    },
    effectiveIntervalMs() {
      if (intervals.length === 0) return 0;
      return intervals.reduce((sum, ms) => sum + ms, 0) / intervals.length;
    },
    backlog() {
      const now = clock.now();
      let firstRead = 0;
      let refresh = 0;
      for (const entry of entries) {
        if (entry.running || entry.dueAt === undefined || entry.dueAt > now) continue;
        if (entry.lastReadAt === undefined) firstRead += 1;
        else refresh += 1;
      }
      return { firstRead, refresh };
    },
    close() {
      closed = true;
      unsubscribe?.();
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      entries.clear();
    },
  };
}
