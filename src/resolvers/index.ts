/** The resolver map handed to buildSubgraphSchema: one module per GraphQL type. */
import type { Resolvers } from '../generated/resolvers-types.js';
import { ImageTask } from './image-task.js';
import { MediaTask } from './media-task.js';
import { Query } from './query.js';
import { DateTimeScalar, JsonScalar } from './scalars.js';
import { Subscription } from './subscription.js';
import { Workflow, WorkflowGraph, WorkflowTask } from './workflow-task.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JsonScalar,
  Query,
  Subscription,
  MediaTask,
  ImageTask,
  WorkflowTask,
  Workflow,
  WorkflowGraph,
};
