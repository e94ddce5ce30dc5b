/**
 * Fresh tasks for every measurement: an id the bench has never asked for cannot be
 * answered from the subgraph's cache, so each uncached figure really pays for a
 * provider call.
 */
import { FINISHED_IMAGE_TASK, type RunningEmulator } from '../src/emulator/index.js';

export interface TaskFactory {
  /** `count` new finished workflow (ICE) tasks, put into the emulator. */
  workflow(count: number): string[];
  /** `count` new finished image (MPS) tasks, put into the emulator. */
  image(count: number): string[];
}

export function taskFactory(emulator: RunningEmulator): TaskFactory {
  let serial = 0;
  const next = (): string => (serial += 1).toString(16).padStart(12, '0');
  return {
    workflow(count) {
      return Array.from({ length: count }, () => {
        const taskId = `bench-wf-${next()}`;
        emulator.putWorkflowTask(taskId, {
          TaskId: taskId,
          Status: 'succeeded',
          CreateTime: '2026-05-04T08:00:00Z',
          FinishTime: '2026-05-04T08:00:09Z',
          Inputs: '{"url":"oss://bench-bucket/input.mp4"}',
          Outputs: '{"summary":"ok"}',
        });
        return taskId;
      });
    },
    image(count) {
      return Array.from({ length: count }, () => {
        const taskId = `24000089-WorkflowTask-bench${next()}${'0'.repeat(8)}`;
        emulator.putImageTask(taskId, FINISHED_IMAGE_TASK);
        return taskId;
      });
    },
  };
}

/** Each id twice, interleaved deterministically, so a batch sees repeats far apart as well as adjacent. */
export function withDuplicates(ids: readonly string[]): string[] {
  return [...ids, ...[...ids].reverse()];
}
