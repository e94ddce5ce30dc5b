/**
 * Process-wide sharing of calls in flight, one instance per provider: concurrent requests for one
 * task share one upstream call, reference-counted. It runs under its first caller's deadline,
 * tally and owner, with a signal of its own; each caller stops waiting at its own signal or
 * deadline, and the call is aborted when the last caller has left. The rules: docs/architecture.md.
 */
import { ProviderError, type ProviderName } from '../providers/errors.js';
import type { CallPriority, TaskCall, TaskSource } from '../sources/task-source.js';
import type { Clock, TimerHandle } from './clock.js';
import { DeadlineExceededError, wasEndedByDeadline } from './deadline.js';
import { upstreamEvents, type UpstreamEvents } from './events.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface InFlightOptions {
  readonly provider: ProviderName;
  /** For each caller's own deadline. */
  readonly clock: Clock;
  readonly events?: Partial<UpstreamEvents>;
}

interface Shared<T> {
  readonly promise: Promise<T>;
  /** The shared call's own signal: aborted only when every caller has left. */
  readonly controller: AbortController;
  /** The deadline the shared call runs under; undefined means the layer below's default. */
  readonly deadline: number | undefined;
  callers: number;
  settled: boolean;
  /** The highest class of its callers so far: a query that joins a poll's call raises it (the rate limiter reads it while the call waits). */
  priority: CallPriority | undefined;
}

/** The higher of two classes; no class is a query's, the highest. */
function higher(a: CallPriority | undefined, b: CallPriority | undefined): CallPriority | undefined {
  if (a === undefined || b === undefined) return undefined;
  const order: readonly CallPriority[] = ['interactive', 'first_read', 'refresh'];
  return order.indexOf(a) <= order.indexOf(b) ? a : b;
}

/**
 * What the shared call keeps of its first caller's: the deadline, the tally, the owner and the span
 * (its work is traced there), never the signal; its priority is its callers' highest, read live.
 */
function sharedCall(
  call: TaskCall | undefined,
  signal: AbortSignal,
  priority: () => CallPriority | undefined,
): TaskCall {
  const shared: TaskCall = {
    signal,
    ...(call?.deadline !== undefined && { deadline: call.deadline }),
    ...(call?.tally !== undefined && { tally: call.tally }),
    ...(call?.owner !== undefined && { owner: call.owner }),
    ...(call?.maxAgeMs !== undefined && { maxAgeMs: call.maxAgeMs }),
    ...(call?.span !== undefined && { span: call.span }),
  };
  return Object.defineProperty(shared, 'priority', { get: priority, enumerable: true });
}

function callerAborted(provider: ProviderName): ProviderError {
  return new ProviderError({
    provider,
    kind: 'UPSTREAM_UNAVAILABLE',
    message: `${provider} request aborted by the caller`,
    retryable: false,
  });
}

/** `a` is later than `b`; no deadline is the latest of all. */
function later(a: number | undefined, b: number | undefined): boolean {
  return (a ?? Number.POSITIVE_INFINITY) > (b ?? Number.POSITIVE_INFINITY);
}

/** One instance's state: the source it shares and the call in flight per task. */
interface InFlight<T> {
  readonly source: TaskSource<T>;
  readonly provider: ProviderName;
  readonly clock: Clock;
  readonly events: UpstreamEvents;
  readonly calls: Map<string, Shared<T>>;
}

function forget<T>(state: InFlight<T>, taskId: string, entry: Shared<T>): void {
  // A newer call for the task may already have taken the place of an abandoned one.
  if (state.calls.get(taskId) === entry) state.calls.delete(taskId);
}

function start<T>(state: InFlight<T>, taskId: string, call: TaskCall | undefined): Shared<T> {
  const controller = new AbortController();
  const current = { priority: call?.priority };
  const priority = (): CallPriority | undefined => current.priority;
  const promise = (async () => state.source(taskId, sharedCall(call, controller.signal, priority)))();
  const entry: Shared<T> = {
    promise,
    controller,
    deadline: call?.deadline,
    callers: 0,
    settled: false,
    get priority() {
      return current.priority;
    },
    set priority(priority) {
      current.priority = priority;
    },
  };
  const settle = (): void => {
    entry.settled = true;
    // Forgotten as soon as it settles, so the next caller gets a fresh answer (or the cache's).
    forget(state, taskId, entry);
  };
  // Also handles the rejection of a call every caller has left, which nobody awaits.
  promise.then(settle, settle);
  state.calls.set(taskId, entry);
  return entry;
}

/** The task's call in flight, joined (its priority raised to this caller's if higher), else a new one. */
function join<T>(state: InFlight<T>, taskId: string, call: TaskCall | undefined): Shared<T> {
  const entry = state.calls.get(taskId);
  if (entry === undefined) return start(state, taskId, call);
  entry.priority = higher(entry.priority, call?.priority);
  state.events.onInFlightShared(state.provider);
  if (call?.tally) call.tally.inFlightShared += 1;
  return entry;
}

/** How long this caller may wait on its own deadline, when it is due before the shared call's; else undefined. */
function ownWaitMs<T>(state: InFlight<T>, entry: Shared<T>, call: TaskCall | undefined): number | undefined {
  if (call?.deadline === undefined || !later(entry.deadline, call.deadline)) return undefined;
  const remainingMs = call.deadline - state.clock.now();
  return remainingMs <= MAX_TIMER_MS ? remainingMs : undefined;
}

/** One caller's wait for `entry`: its answer, or this caller's own abort or deadline, whichever comes first. */
function wait<T>(state: InFlight<T>, taskId: string, entry: Shared<T>, call: TaskCall | undefined): Promise<T> {
  const { provider, clock } = state;
  return new Promise<T>((resolve, reject) => {
    const signal = call?.signal;
    let done = false;
    let timer: TimerHandle | undefined;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clock.clearTimeout(timer);
      entry.callers -= 1;
      return true;
    };
    const leave = (error: Error): void => {
      if (!finish()) return;
      if (entry.callers === 0 && !entry.settled) {
        forget(state, taskId, entry);
        entry.controller.abort();
      }
      reject(error);
    };
    const onAbort = (): void => leave(callerAborted(provider));

    entry.callers += 1;
    entry.promise.then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(error);
      },
    );
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    // Only a caller due before the shared call needs its own timer; the others are bounded by it.
    const ownMs = ownWaitMs(state, entry, call);
    if (ownMs !== undefined) {
      timer = clock.setTimeout(() => {
        state.events.onDeadlineExceeded(provider);
        leave(new DeadlineExceededError(provider));
      }, ownMs);
    }
  });
}

/** The shared call ran out of *its* time; this caller still has some of its own, so it asks again. */
function asksAgain<T>(state: InFlight<T>, entry: Shared<T>, call: TaskCall | undefined, error: unknown): boolean {
  const retry =
    entry.settled && later(call?.deadline, entry.deadline) && wasEndedByDeadline(error) && !call?.signal?.aborted;
  return retry && !(call?.deadline !== undefined && state.clock.now() >= call.deadline);
}

export function sharedInFlight<T>(source: TaskSource<T>, options: InFlightOptions): TaskSource<T> {
  const state: InFlight<T> = {
    source,
    provider: options.provider,
    clock: options.clock,
    events: upstreamEvents(options.events),
    calls: new Map(),
  };
  return async (taskId, call) => {
    // Nobody would wait for the answer: neither start a call nor join one.
    if (call?.signal?.aborted) throw callerAborted(state.provider);
    for (;;) {
      const entry = join(state, taskId, call);
      try {
        return await wait(state, taskId, entry, call);
      } catch (error) {
        if (!asksAgain(state, entry, call, error)) throw error;
      }
    }
  };
}
