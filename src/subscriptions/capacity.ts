/**
 * The process-wide cap on open subscriptions (SUBSCRIPTION_MAX_ACTIVE), WebSocket and callback
 * together: every subscription of either transport is a subscriber of the poller registry, so
 * the cap is kept there, as a wrapper of the registry that counts its subscribers.
 */
import { PROVIDER_LIST } from '../providers/registry.js';
import { subscriptionLimitError } from './errors.js';
import type { TaskWatches } from './task-watches.js';

export interface CappedWatches extends TaskWatches {
  /** False once `maxActive` subscriptions are open: a transport can refuse before it starts anything. */
  hasRoom(): boolean;
}

export function cappedWatches(watches: TaskWatches, maxActive: number): CappedWatches {
  const active = (): number =>
    PROVIDER_LIST.reduce((sum, provider) => sum + watches.counts(provider.name).subscribers, 0);
  const admit = (): void => {
    if (active() >= maxActive) {
      throw subscriptionLimitError(
        `This subgraph already has ${maxActive} subscriptions open, the most it may (SUBSCRIPTION_MAX_ACTIVE); try again later`,
      );
    }
  };
  return {
    imageTask: (taskId, caller) => {
      admit();
      return watches.imageTask(taskId, caller);
    },
    workflowTask: (taskId, caller) => {
      admit();
      return watches.workflowTask(taskId, caller);
    },
    counts: (provider) => watches.counts(provider),
    refresh: (provider) => watches.refresh(provider),
    close: () => watches.close(),
    hasRoom: () => active() < maxActive,
  };
}
