/**
 * The plain sources: one signed provider call (the call's signal reaches the client), then the
 * pure parser; an answer that is not the task asked for is that task's error, never a crash.
 */
import { parseImageTask } from '../parsing/image-task.js';
import { parseWorkflowTask } from '../parsing/workflow-task.js';
import type { ImageTaskModel, WorkflowTaskModel } from '../parsing/models.js';
import { notConfigured, type ProviderName } from '../providers/errors.js';
import type { TaskSource } from './task-source.js';

/** The slice of the MPS client a source needs; tests can hand in any implementation. */
export interface ImageTaskClient {
  describeImageTaskDetail(
    taskId: string,
    options?: { readonly signal?: AbortSignal },
  ): Promise<{ readonly response: unknown }>;
}

export interface WorkflowTaskClient {
  getAIWorkflowTask(taskId: string, options?: { readonly signal?: AbortSignal }): Promise<{ readonly body: unknown }>;
}

export function imageTaskSource(client: ImageTaskClient): TaskSource<ImageTaskModel> {
  return async (taskId, call) =>
    parseImageTask(taskId, (await client.describeImageTaskDetail(taskId, { signal: call?.signal })).response);
}

export function workflowTaskSource(client: WorkflowTaskClient): TaskSource<WorkflowTaskModel> {
  return async (taskId, call) =>
    parseWorkflowTask(taskId, (await client.getAIWorkflowTask(taskId, { signal: call?.signal })).body);
}

/**
 * The source of a provider this deployment has no credentials for, with the emulator off:
 * every lookup fails at once with NOT_CONFIGURED. No call, no retry, no rate budget, and
 * nothing cached (only NOT_FOUND answers are), so adding credentials and restarting is all it takes.
 */
export function notConfiguredSource<T>(provider: ProviderName, variables: readonly string[]): TaskSource<T> {
  return () => Promise.reject(notConfigured(provider, variables));
}
