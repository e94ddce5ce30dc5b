/** ImageTask is an entity: the supergraph sends `{ __typename, taskId }` and we load the rest. */
import type { ImageTaskResolvers } from '../generated/resolvers-types.js';
import { loadTask } from './load-task.js';

export const ImageTask: ImageTaskResolvers = {
  __resolveReference: (reference, { loaders, taskMaxAge }, info) => loadTask(loaders.imageTask, reference.taskId, info, taskMaxAge),
};
