/**
 * Root fields. Every lookup goes through the request's loaders, so a list naming an
 * id twice, or a list plus a single field naming the same id, costs one upstream call.
 */
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { loadTask, loadTaskList } from './load-task.js';

export const Query: QueryResolvers = {
  imageTask: (_parent, { taskId }, { loaders, taskMaxAge }, info) =>
    loadTask(loaders.imageTask, taskId, info, taskMaxAge),
  imageTasks: (_parent, { taskIds }, { loaders, limits, taskMaxAge }, info) =>
    loadTaskList(loaders.imageTask, taskIds, limits.maxTaskIds, info, taskMaxAge),
  workflowTask: (_parent, { taskId }, { loaders, taskMaxAge }, info) =>
    loadTask(loaders.workflowTask, taskId, info, taskMaxAge),
  workflowTasks: (_parent, { taskIds }, { loaders, limits, taskMaxAge }, info) =>
    loadTaskList(loaders.workflowTask, taskIds, limits.maxTaskIds, info, taskMaxAge),
};
