/**
 * The tasks one emulator instance serves: the seed plus whatever a test adds.
 * Maps, not plain objects, so a TaskId like "__proto__" is just an unknown task.
 */
import type { ImageTaskSeed, WorkflowTaskSeed } from './json.js';
import { seedImageTasks, seedWorkflowTasks } from './seed-tasks.js';
import { TaskScripts } from './task-scripts.js';

export class TaskStore {
  private readonly image = new Map(seedImageTasks());
  private readonly workflow = new Map(seedWorkflowTasks());
  /** A scripted task answers its current step instead of (or in the absence of) a stored one. */
  readonly scripts = new TaskScripts();

  imageTask(taskId: string): ImageTaskSeed | undefined {
    return this.scripts.read('tencent-mps', taskId) ?? this.image.get(taskId);
  }

  workflowTask(taskId: string): WorkflowTaskSeed | undefined {
    return this.scripts.read('alibaba-ice', taskId) ?? this.workflow.get(taskId);
  }

  /** Stored as a structured clone so later edits by the caller do not leak into answers. */
  putImageTask(taskId: string, response: ImageTaskSeed): void {
    this.image.set(taskId, structuredClone(response));
  }

  putWorkflowTask(taskId: string, workflowTask: WorkflowTaskSeed): void {
    this.workflow.set(taskId, structuredClone(workflowTask));
  }
}
