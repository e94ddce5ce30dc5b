/** The MediaTask interface: a parsed workflow task carries its workflow, an image task its results. */
import type { MediaTaskResolvers } from '../generated/resolvers-types.js';

export const MediaTask: MediaTaskResolvers = {
  __resolveType: (task) => ('workflow' in task ? 'WorkflowTask' : 'ImageTask'),
};
