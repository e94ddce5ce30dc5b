/** ImageTask is an entity: the supergraph sends `{ __typename, taskId }` and we load the rest. */
import type { ImageTaskResolvers } from '../generated/resolvers-types.js';
import { loadTask } from './load-task.js';

/** GraphQL's Int is 32-bit; graphql-js fails the field for anything else, and ErrCode is an int64. */
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

export function asGraphQLInt(value: number | null): number | null {
  return value !== null && Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX ? value : null;
}

export const ImageTask: ImageTaskResolvers = {
  __resolveReference: (reference, { loaders, taskMaxAge }, info) =>
    loadTask(loaders.imageTask, reference.taskId, info, taskMaxAge),
  // Client caches key objects by `id`; the provider's id is unique within the type, which is all they need.
  id: (task) => task.taskId,
  // Out of range is null, never a field error; errCodeText carries the value in full.
  errCode: (task) => asGraphQLInt(task.errCode),
};
