/**
 * Per-request DataLoaders, one per provider, made the first time a resolver asks: one batch per
 * tick, ids de-duplicated, fanned out into single calls (neither provider has a batch API) with at
 * most `concurrency` in flight; one id's failure is that id's Error. Once the request's signal
 * aborts, queued ids fail at once instead of being started.
 */
import DataLoader from 'dataloader';
import pLimit from 'p-limit';
import type { ImageTaskModel, WorkflowTaskModel } from '../parsing/models.js';
import { ProviderError, type ProviderName } from '../providers/errors.js';
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

function abandoned(provider: ProviderName | undefined): Error {
  if (provider === undefined) return new Error('lookup not started: the request was abandoned');
  return new ProviderError({
    provider,
    kind: 'UPSTREAM_UNAVAILABLE',
    message: `${provider} lookup not started: the request was abandoned`,
    retryable: false,
  });
}

/**
 * `call` carries the request's deadline, signal, owner and tally down to every source call
 * the loader makes; `provider` names the errors of lookups the signal stopped before they began.
 */
export function createTaskLoader<T>(
  source: TaskSource<T>,
  options: TaskLoaderOptions,
  call: TaskCall = {},
  provider?: ProviderName,
): DataLoader<string, T> {
  // One limiter for the loader, not per batch, so split batches share the bound.
  const limit = pLimit(options.concurrency);
  const { signal } = call;
  // Checked when p-limit starts the job, not when it is queued. Not limit.clearQueue(): it
  // would leave the queued lookups unsettled, and the request's execution with them.
  const lookup = (taskId: string, batchCall: TaskCall): Promise<T> =>
    signal?.aborted ? Promise.reject(abandoned(provider)) : source(taskId, batchCall);
  const batch = (taskIds: readonly string[]): Promise<Array<T | Error>> => {
    // Without tracing the request's own call object goes down unchanged: nothing is built per batch.
    if (call.span === undefined)
      return Promise.all(taskIds.map((taskId) => limit(() => lookup(taskId, call)).catch(asError)));
    const span = call.span.child('loader batch', {
      ...(provider !== undefined && { provider }),
      'batch.size': taskIds.length,
    });
    const batchCall: TaskCall = { ...call, span };
    return Promise.all(taskIds.map((taskId) => limit(() => lookup(taskId, batchCall)).catch(asError))).then(
      (results) => {
        const failed = results.filter((result) => result instanceof Error).length;
        span.setAttributes({ 'batch.failed': failed });
        span.end();
        return results;
      },
    );
  };
  return new DataLoader<string, T>(batch, { maxBatchSize: options.maxBatchSize });
}

export function createTaskLoaders(sources: TaskSources, options: TaskLoaderOptions, call: TaskCall = {}): TaskLoaders {
  // Memoised, not just deferred: every resolver of the request must get the same loader,
  // or batching and de-duplication across fields would be lost.
  let imageTask: DataLoader<string, ImageTaskModel> | undefined;
  let workflowTask: DataLoader<string, WorkflowTaskModel> | undefined;
  return {
    get imageTask() {
      return (imageTask ??= createTaskLoader(sources.imageTask, options, call, 'tencent-mps'));
    },
    get workflowTask() {
      return (workflowTask ??= createTaskLoader(sources.workflowTask, options, call, 'alibaba-ice'));
    },
  };
}
