/**
 * Live task updates. `subscribe` hands graphql-js the subscriber's stream from the poller
 * registry (src/subscriptions/); `resolve` turns each event into the task, or throws the
 * error that ends the subscription (its payload then has `data: null` and that error).
 * A bad id is refused before any poller exists, with the code queries give it.
 */
import type { SubscriptionResolvers } from '../generated/resolvers-types.js';
import type { ImageTaskModel, WorkflowTaskModel } from '../parsing/models.js';
import type { TaskEvent } from '../subscriptions/subscriber.js';
import { taskIdProblem } from './task-ids.js';

function taskOrThrow<T>(event: TaskEvent<T>): T {
  if (event.kind === 'error') throw event.error;
  return event.task;
}

function checkedTaskId(taskId: string): string {
  const problem = taskIdProblem(taskId);
  if (problem) throw problem;
  return taskId;
}

export const Subscription: SubscriptionResolvers = {
  imageTaskUpdated: {
    subscribe: (_parent, { taskId }, { watches, client }) => watches.imageTask(checkedTaskId(taskId), { client }),
    resolve: (event: TaskEvent<ImageTaskModel>) => taskOrThrow(event),
  },
  workflowTaskUpdated: {
    subscribe: (_parent, { taskId }, { watches, client }) => watches.workflowTask(checkedTaskId(taskId), { client }),
    resolve: (event: TaskEvent<WorkflowTaskModel>) => taskOrThrow(event),
  },
};
