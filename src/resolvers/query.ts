/**
 * Root fields. Every lookup goes through the request's loaders, so a list naming an
 * id twice, or a list plus a single field naming the same id, costs one upstream call.
 */
import type { QueryResolvers } from '../generated/resolvers-types.js';
import type DataLoader from 'dataloader';
import { assertTaskId, assertTaskIdCount, taskIdProblem } from './task-ids.js';

/** One entry per id, in order; a refused or failed id rejects only its own entry. */
function loadList<T>(loader: DataLoader<string, T>, taskIds: readonly string[], max: number): Promise<T>[] {
  assertTaskIdCount(taskIds, max);
  return taskIds.map((taskId) => {
    const problem = taskIdProblem(taskId);
    return problem ? Promise.reject(problem) : loader.load(taskId);
  });
}

export const Query: QueryResolvers = {
  imageTask: (_parent, { taskId }, { loaders }) => loaders.imageTask.load(assertTaskId(taskId)),
  imageTasks: (_parent, { taskIds }, { loaders, limits }) => loadList(loaders.imageTask, taskIds, limits.maxTaskIds),
  workflowTask: (_parent, { taskId }, { loaders }) => loaders.workflowTask.load(assertTaskId(taskId)),
  workflowTasks: (_parent, { taskIds }, { loaders, limits }) => loadList(loaders.workflowTask, taskIds, limits.maxTaskIds),
};
