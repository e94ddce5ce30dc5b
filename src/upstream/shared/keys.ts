/**
 * Every key and channel of shared mode, in one place, each under the deployment's namespace
 * (namespace.ts), so deployments that are not the same client of the same provider never read
 * each other's answers, leases, announcements or quota. The format version is part of each task
 * name: a rolling deploy whose parser (or the shape of a stored answer) changed bumps it, so old
 * and new replicas never read each other's entries as their own. The quota key carries no
 * version: old and new replicas must count against the same budget.
 */
import type { ProviderName } from '../../providers/errors.js';

export const SHARED_FORMAT_VERSION = 'v1';

export interface SharedKeys {
  readonly quota: string;
  task(taskId: string): string;
  lease(taskId: string): string;
  /** Where a lease holder announces that a task's call is over. */
  readonly done: string;
}

export function sharedKeys(prefix: string, provider: ProviderName, namespace: string): SharedKeys {
  const base = `${prefix}${SHARED_FORMAT_VERSION}:${provider}:${namespace}:`;
  return {
    quota: `${prefix}quota:${provider}:${namespace}`,
    task: (taskId) => `${base}task:${taskId}`,
    lease: (taskId) => `${base}lease:${taskId}`,
    done: `${base}done`,
  };
}

/** The key a replica's link writes to find out whether Redis takes writes (redis-link.ts). */
export function probeKey(prefix: string, replicaId: string): string {
  return `${prefix}probe:${replicaId}`;
}
