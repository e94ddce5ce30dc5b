/**
 * Measurement 1, upstream calls per operation: a list query and `_entities`, for 1, 10
 * and 100 distinct ids, with and without each id repeated. Goal: exactly one provider
 * call per distinct id. Every case uses fresh ids, so the process-wide cache cannot
 * hide calls; the count is what the emulator received.
 */
import type { RunningEmulator } from '../src/emulator/index.js';
import { assertNoErrors, postGraphQL } from './graphql.js';
import { WORKFLOW_ENTITIES, WORKFLOW_LIST, representations } from './queries.js';
import { withDuplicates, type TaskFactory } from './tasks.js';

export interface EconomyRow {
  readonly via: 'list' | '_entities';
  readonly distinctIds: number;
  readonly idsSent: number;
  readonly upstreamCalls: number;
  readonly meetsGoal: boolean;
}

export async function measureEconomy(
  url: string,
  emulator: RunningEmulator,
  tasks: TaskFactory,
): Promise<EconomyRow[]> {
  const rows: EconomyRow[] = [];
  for (const via of ['list', '_entities'] as const) {
    for (const distinctIds of [1, 10, 100]) {
      for (const duplicates of [false, true]) {
        const ids = tasks.workflow(distinctIds);
        const sent = duplicates ? withDuplicates(ids) : ids;
        const before = countFor(emulator, ids);
        const { body } =
          via === 'list'
            ? await postGraphQL(url, WORKFLOW_LIST, { ids: sent })
            : await postGraphQL(url, WORKFLOW_ENTITIES, { representations: representations('WorkflowTask', sent) });
        assertNoErrors(body, `economy ${via} ${distinctIds}`);
        const upstreamCalls = countFor(emulator, ids) - before;
        rows.push({ via, distinctIds, idsSent: sent.length, upstreamCalls, meetsGoal: upstreamCalls === distinctIds });
      }
    }
  }
  return rows;
}

function countFor(emulator: RunningEmulator, ids: readonly string[]): number {
  // Counts, not emulator.calls(): that holds only the most recent CALL_LOG_WINDOW calls.
  return [...new Set(ids)].reduce((sum, taskId) => sum + emulator.callCount({ taskId }), 0);
}
