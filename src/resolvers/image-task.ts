/** ImageTask is an entity: the supergraph sends `{ __typename, taskId }` and we load the rest. */
import type { ImageTaskResolvers } from '../generated/resolvers-types.js';
import { assertTaskId } from './task-ids.js';

export const ImageTask: ImageTaskResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.imageTask.load(assertTaskId(reference.taskId)),
};
