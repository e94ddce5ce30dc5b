/**
 * The one way resolvers get a task: check the id, load through the request's
 * DataLoader, and narrow the cache hint to the task's state.
 */
import type DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import { loadWithCacheHint, type TaskMaxAge } from './cache-hints.js';
import { assertTaskIdCount, taskIdProblem } from './task-ids.js';

type Task = { readonly terminal: boolean };

export function loadTask<T extends Task>(
  loader: DataLoader<string, T>,
  taskId: string,
  info: GraphQLResolveInfo,
  maxAge: TaskMaxAge,
): Promise<T> {
  const problem = taskIdProblem(taskId);
  return loadWithCacheHint(problem ? Promise.reject(problem) : loader.load(taskId), info, maxAge);
}

/** One entry per id, in order; a refused or failed id rejects only its own entry. */
export function loadTaskList<T extends Task>(
  loader: DataLoader<string, T>,
  taskIds: readonly string[],
  maxTaskIds: number,
  info: GraphQLResolveInfo,
  maxAge: TaskMaxAge,
): Promise<T>[] {
  assertTaskIdCount(taskIds, maxTaskIds);
  return taskIds.map((taskId) => loadTask(loader, taskId, info, maxAge));
}
