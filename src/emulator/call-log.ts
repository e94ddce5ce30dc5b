/**
 * Every provider request that reaches the emulator, faulted and rejected ones included, so tests
 * can count attempts rather than time them. Full records are kept for the last CALL_LOG_WINDOW
 * calls only; counts stay exact per provider and action, and per task for the COUNTED_TASKS_LIMIT
 * most recent task ids (docs/architecture.md, "The emulator").
 */
import type { CallFilter, CallRecord, ProviderId } from './types.js';

/** A recorded call whose outcome is filled in once the emulator has decided it. */
export interface CallEntry {
  settle(outcome: string): void;
}

export const PENDING_OUTCOME = 'pending';

/** Full records kept: far more than any test or benchmark case makes between two resets, about 1.4 MB at most. */
export const CALL_LOG_WINDOW = 1_000;
/** Distinct (provider, action, taskId) counters kept, least recently called dropped first. */
export const COUNTED_TASKS_LIMIT = 10_000;

interface Counter {
  readonly provider: ProviderId;
  readonly action: string;
  readonly taskId: string | null;
  count: number;
}

export interface CallLogOptions {
  readonly window?: number;
  readonly countedTasks?: number;
}

export class CallLog {
  private readonly window: number;
  private readonly countedTasks: number;
  /** Oldest first; at most `window` long. */
  private records: CallRecord[] = [];
  /** Exact totals per provider and action: a handful of keys, never evicted. */
  private totals = new Map<string, Counter>();
  /** Per task; Map order is recency (a call moves its key to the end), so the first key is the one to drop. */
  private perTask = new Map<string, Counter>();

  constructor(options: CallLogOptions = {}) {
    this.window = options.window ?? CALL_LOG_WINDOW;
    this.countedTasks = options.countedTasks ?? COUNTED_TASKS_LIMIT;
  }

  /** Recorded on arrival, before any fault or check, so hung and dropped requests count too. */
  record(call: Omit<CallRecord, 'outcome'>): CallEntry {
    const record: CallRecord = { ...call, headers: { ...call.headers }, outcome: PENDING_OUTCOME };
    this.records.push(record);
    // Dropping from the front of a small array is cheap enough here; calls arrive one HTTP request at a time.
    if (this.records.length > this.window) this.records.splice(0, this.records.length - this.window);
    bump(this.totals, JSON.stringify([call.provider, call.action]), call, null);
    bump(this.perTask, JSON.stringify([call.provider, call.action, call.taskId]), call, call.taskId);
    while (this.perTask.size > this.countedTasks) {
      const oldest = this.perTask.keys().next().value;
      if (oldest === undefined) break;
      this.perTask.delete(oldest);
    }
    return {
      settle: (outcome) => {
        record.outcome = outcome;
      },
    };
  }

  /** How many calls matched since the last reset, including those no longer in the window. */
  count(filter: CallFilter = {}): number {
    const counters = filter.taskId === undefined ? this.totals : this.perTask;
    let total = 0;
    for (const counter of counters.values()) {
      if (matches(counter, filter)) total += counter.count;
    }
    return total;
  }

  /** The recent calls (the last CALL_LOG_WINDOW at most), oldest first; copies, so a caller cannot rewrite history. */
  all(filter: CallFilter = {}): readonly CallRecord[] {
    return this.records
      .filter((record) => matches(record, filter))
      .map((record) => ({ ...record, headers: { ...record.headers } }));
  }

  reset(): void {
    this.records = [];
    this.totals = new Map();
    this.perTask = new Map();
  }
}

function bump(
  counters: Map<string, Counter>,
  key: string,
  call: Omit<CallRecord, 'outcome'>,
  taskId: string | null,
): void {
  const counter = counters.get(key) ?? { provider: call.provider, action: call.action, taskId, count: 0 };
  counter.count += 1;
  // Re-inserted so Map order stays least recently called first.
  counters.delete(key);
  counters.set(key, counter);
}

function matches(entry: { provider: ProviderId; action: string; taskId: string | null }, filter: CallFilter): boolean {
  return (
    (filter.provider === undefined || entry.provider === filter.provider) &&
    (filter.action === undefined || entry.action === filter.action) &&
    (filter.taskId === undefined || entry.taskId === filter.taskId)
  );
}
