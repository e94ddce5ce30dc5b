/**
 * Scripted task progressions for tests and demos of live updates: a task answers its steps in
 * order, moved on by `advance` (or POST /__emulator/tasks/:taskId/advance) or by itself after
 * every N provider calls that read it. Default steps: MPS `WAITING` → `PROCESSING` → `FINISH`;
 * ICE `running` (no node results) → `running` (some) → `succeeded`.
 */
import type { ImageTaskSeed, JsonObject, WorkflowTaskSeed } from './json.js';
import { SEED, seedImageTasks, seedWorkflowTasks } from './seed-tasks.js';
import type { ProviderId } from './types.js';

export interface ScriptOptions {
  /** Move on by itself after every N answers that read the task; absent: only when told. */
  readonly advanceEveryCalls?: number;
}

export interface ScriptPosition {
  /** Index of the step the task answers now (0-based). */
  readonly step: number;
  readonly steps: number;
}

interface Script {
  readonly steps: readonly JsonObject[];
  step: number;
  readonly advanceEveryCalls: number | undefined;
  reads: number;
}

export class TaskScripts {
  private readonly scripts = new Map<string, Script>();

  set(provider: ProviderId, taskId: string, steps: readonly JsonObject[], options: ScriptOptions = {}): ScriptPosition {
    if (steps.length === 0) throw new Error('a script needs at least one step');
    this.scripts.set(key(provider, taskId), {
      steps: structuredClone(steps),
      step: 0,
      advanceEveryCalls: options.advanceEveryCalls,
      reads: 0,
    });
    return { step: 0, steps: steps.length };
  }

  /** Stays at the last step once there; null for a task with no script. */
  advance(provider: ProviderId, taskId: string): ScriptPosition | null {
    const script = this.scripts.get(key(provider, taskId));
    if (!script) return null;
    script.step = Math.min(script.step + 1, script.steps.length - 1);
    return { step: script.step, steps: script.steps.length };
  }

  /** The step to answer with, counting the read for scripts that move on by calls. */
  read(provider: ProviderId, taskId: string): JsonObject | undefined {
    const script = this.scripts.get(key(provider, taskId));
    if (!script) return undefined;
    const answer = script.steps[script.step];
    script.reads += 1;
    if (script.advanceEveryCalls !== undefined && script.reads % script.advanceEveryCalls === 0) {
      script.step = Math.min(script.step + 1, script.steps.length - 1);
    }
    return answer;
  }
}

function key(provider: ProviderId, taskId: string): string {
  return JSON.stringify([provider, taskId]);
}

/** MPS: WAITING → PROCESSING at 0 % → PROCESSING at 50 % → FINISH, one SUCCESS result. */
export function imageTaskProgression(): ImageTaskSeed[] {
  const base = seedImageTasks().get(SEED.image.waiting)!;
  const running = (progress: number): ImageTaskSeed => ({
    ...base,
    Status: 'PROCESSING',
    ImageProcessTaskResultSet: [{ Status: 'PROCESSING', ErrMsg: '', Message: '', Progress: progress, Output: null }],
  });
  const outputStorage = {
    Type: 'COS',
    CosOutputStorage: { Bucket: 'media-output-1250000000', Region: 'ap-guangzhou' },
    S3OutputStorage: null,
    VODOutputStorage: null,
  };
  return [
    base,
    running(0),
    running(50),
    {
      ...base,
      Status: 'FINISH',
      FinishTime: '2026-05-04T08:00:42Z',
      ImageProcessTaskResultSet: [
        {
          Status: 'SUCCESS',
          ErrMsg: '',
          Message: 'SUCCESS',
          Progress: 100,
          Output: { Path: '/output/scripted/result.jpg', OutputStorage: outputStorage },
        },
      ],
    },
  ];
}

/** ICE: running without node results → running with the first nodes' results → succeeded with outputs. */
export function workflowTaskProgression(taskId: string): WorkflowTaskSeed[] {
  const seeds = seedWorkflowTasks();
  const running = seeds.get(SEED.workflow.running)!;
  const succeeded = seeds.get(SEED.workflow.succeeded)!;
  const { NodeResults: _none, ...started } = running;
  return [
    { ...started, TaskId: taskId },
    { ...running, TaskId: taskId },
    { ...succeeded, TaskId: taskId },
  ];
}
