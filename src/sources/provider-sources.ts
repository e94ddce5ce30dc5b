/**
 * The plain sources: one signed provider call, then the pure parser. A provider's
 * answer that is not the task asked for is that task's error, never a crash.
 */
import { parseImageTask } from '../parsing/image-task.js';
import { parseWorkflowTask } from '../parsing/workflow-task.js';
import type { ImageTaskModel, WorkflowTaskModel } from '../parsing/models.js';
import type { TaskSource } from './task-source.js';

/** The slice of the MPS client a source needs; tests can hand in any implementation. */
export interface ImageTaskClient {
  describeImageTaskDetail(taskId: string): Promise<{ readonly response: unknown }>;
}

export interface WorkflowTaskClient {
  getAIWorkflowTask(taskId: string): Promise<{ readonly body: unknown }>;
}

export function imageTaskSource(client: ImageTaskClient): TaskSource<ImageTaskModel> {
  return async (taskId) => parseImageTask(taskId, (await client.describeImageTaskDetail(taskId)).response);
}

export function workflowTaskSource(client: WorkflowTaskClient): TaskSource<WorkflowTaskModel> {
  return async (taskId) => parseWorkflowTask(taskId, (await client.getAIWorkflowTask(taskId)).body);
}
