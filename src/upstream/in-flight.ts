/**
 * Process-wide sharing of calls in flight. DataLoader already de-duplicates ids
 * within one GraphQL request; this shares one upstream call between *concurrent
 * requests* asking for the same task (a dashboard opened by twenty people, a router
 * fanning out `_entities`). One instance per provider, so the task id is the key.
 *
 * The shared call runs under the first caller's deadline and tally, without its abort signal:
 * - the signal is dropped because one caller going away must not fail the others;
 * - the first caller's deadline is the earliest one, since every request gets the
 *   same REQUEST_DEADLINE_MS and the first caller arrived first. So the shared call
 *   never keeps any caller waiting past its own deadline; the price is that a later
 *   caller may be told "deadline exceeded" up to its arrival gap early;
 * - the first caller's tally receives the upstream calls and retries of the shared
 *   call, so the one real call is counted once, on the request that made it; every
 *   later caller's tally counts one in-flight share instead.
 */
import type { ProviderName } from '../providers/errors.js';
import type { TaskCall, TaskSource } from '../sources/task-source.js';
import { upstreamEvents, type UpstreamEvents } from './events.js';

export interface InFlightOptions {
  readonly provider: ProviderName;
  readonly events?: Partial<UpstreamEvents>;
}

/** What the shared call keeps of its first caller's: the deadline and the tally, never the signal. */
function sharedCall(call: TaskCall | undefined): TaskCall {
  return {
    ...(call?.deadline !== undefined && { deadline: call.deadline }),
    ...(call?.tally !== undefined && { tally: call.tally }),
  };
}

export function sharedInFlight<T>(source: TaskSource<T>, options: InFlightOptions): TaskSource<T> {
  const events = upstreamEvents(options.events);
  const inFlight = new Map<string, Promise<T>>();

  return (taskId, call) => {
    const running = inFlight.get(taskId);
    if (running !== undefined) {
      events.onInFlightShared(options.provider);
      if (call?.tally) call.tally.inFlightShared += 1;
      return running;
    }
    const started = (async () => source(taskId, sharedCall(call)))();
    // Forgotten as soon as it settles, so the next caller gets a fresh answer (or the cache's).
    const shared = started.finally(() => inFlight.delete(taskId));
    inFlight.set(taskId, shared);
    return shared;
  };
}
