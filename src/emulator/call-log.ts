/**
 * Every provider request that reaches the server, faulted and rejected ones included,
 * so tests can count attempts (retries, batching, caching) rather than time them.
 */
import type { CallFilter, CallRecord } from './types.js';

/** A recorded call whose outcome is filled in once the emulator has decided it. */
export interface CallEntry {
  settle(outcome: string): void;
}

export const PENDING_OUTCOME = 'pending';

export class CallLog {
  private records: CallRecord[] = [];

  /** Recorded on arrival, before any fault or check, so hung and dropped requests count too. */
  record(call: Omit<CallRecord, 'outcome'>): CallEntry {
    const record: CallRecord = { ...call, headers: { ...call.headers }, outcome: PENDING_OUTCOME };
    this.records.push(record);
    return {
      settle: (outcome) => {
        record.outcome = outcome;
      },
    };
  }

  count(filter: CallFilter = {}): number {
    return this.records.filter((record) => matches(record, filter)).length;
  }

  /** Copies, so a caller holding the array cannot rewrite history or see it change. */
  all(filter: CallFilter = {}): readonly CallRecord[] {
    return this.records.filter((record) => matches(record, filter)).map((record) => ({ ...record, headers: { ...record.headers } }));
  }

  reset(): void {
    this.records = [];
  }
}

function matches(record: CallRecord, filter: CallFilter): boolean {
  return (
    (filter.provider === undefined || record.provider === filter.provider) &&
    (filter.action === undefined || record.action === filter.action) &&
    (filter.taskId === undefined || record.taskId === filter.taskId)
  );
}
