/**
 * Per-request DataLoaders, one per provider. DataLoader collects every `load` made in
 * one tick of resolution (list queries, nested fields, `_entities` representations)
 * into one batch and de-duplicates ids, so N distinct ids cost N upstream calls.
 * Neither provider has a batch API, so a batch fans out into single calls, at most
 * `concurrency` in flight per loader; one id's failure is returned as that id's Error.
 *
 * A provider's loader is made the first time a resolver asks for it: a request answered
 * from Apollo's response cache, or naming one provider only, never pays for the other
 * DataLoader and its limiter (per-request allocations that show up in CPU profiles).
 */
import DataLoader from 'dataloader';
import pLimit from 'p-limit';
import type { ImageTaskModel, WorkflowTaskModel } from '../parsing/models.js';
import type { TaskCall, TaskSource } from '../sources/task-source.js';

export interface TaskLoaderOptions {
  /** Upstream calls in flight at once per loader (per request). */
  readonly concurrency: number;
  /** Ids per DataLoader batch; larger batches are split. */
  readonly maxBatchSize: number;
}

export interface TaskLoaders {
  readonly imageTask: DataLoader<string, ImageTaskModel>;
  readonly workflowTask: DataLoader<string, WorkflowTaskModel>;
}

export interface TaskSources {
  readonly imageTask: TaskSource<ImageTaskModel>;
  readonly workflowTask: TaskSource<WorkflowTaskModel>;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** `call` carries the request's deadline and tally down to every source call the loader makes. */
export function createTaskLoader<T>(source: TaskSource<T>, options: TaskLoaderOptions, call: TaskCall = {}): DataLoader<string, T> {
  // One limiter for the loader, not per batch, so split batches share the bound.
  const limit = pLimit(options.concurrency);
  return new DataLoader<string, T>(
    (taskIds) => Promise.all(taskIds.map((taskId) => limit(() => source(taskId, call)).catch(asError))),
    { maxBatchSize: options.maxBatchSize },
  );
}

export function createTaskLoaders(sources: TaskSources, options: TaskLoaderOptions, call: TaskCall = {}): TaskLoaders {
  // Memoised, not just deferred: every resolver of the request must get the same loader,
  // or batching and de-duplication across fields would be lost.
  let imageTask: DataLoader<string, ImageTaskModel> | undefined;
  let workflowTask: DataLoader<string, WorkflowTaskModel> | undefined;
  return {
    get imageTask() {
      return (imageTask ??= createTaskLoader(sources.imageTask, options, call));
    },
    get workflowTask() {
      return (workflowTask ??= createTaskLoader(sources.workflowTask, options, call));
    },
  };
}
