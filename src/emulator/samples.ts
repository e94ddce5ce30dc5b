/**
 * The sample tasks a newcomer is pointed at (start-up banner, standalone emulator, the
 * dashboard's sample list), each with what it shows: an id alone does not say which one
 * has results to look at and which one failed.
 */
import { SEED } from './seed-tasks.js';

export type SampleKind = 'image' | 'workflow';

export interface SampleTask {
  readonly kind: SampleKind;
  readonly taskId: string;
  /** How the task stands, in a few words: finished, running, failed and why. */
  readonly outcome: string;
}

/** The same tasks as sampleTaskIds(), in the same order, described. */
export function sampleTasks(kinds: readonly SampleKind[] = ['image', 'workflow']): readonly SampleTask[] {
  const all: readonly SampleTask[] = [
    { kind: 'image', taskId: SEED.image.finishedSuccess, outcome: 'finished, 3 results succeeded' },
    { kind: 'image', taskId: SEED.image.processing, outcome: 'running, one result at 45%' },
    { kind: 'image', taskId: SEED.image.finishedFaceNotFound, outcome: 'failed (InvalidParameterValue.FaceNotFound)' },
    { kind: 'image', taskId: SEED.image.docExampleFinished, outcome: "finished, the docs' example (no results)" },
    { kind: 'workflow', taskId: SEED.workflow.succeeded, outcome: 'succeeded, every node' },
    { kind: 'workflow', taskId: SEED.workflow.running, outcome: 'running (ASR node)' },
    { kind: 'workflow', taskId: SEED.workflow.failed, outcome: 'failed (LLM node timed out)' },
    { kind: 'workflow', taskId: SEED.workflow.partialSucceeded, outcome: 'partially succeeded (HTTP node failed)' },
  ];
  return all.filter((sample) => kinds.includes(sample.kind));
}
