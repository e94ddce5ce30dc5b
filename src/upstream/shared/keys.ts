/**
 * Every key and channel of shared mode, in one place, each under the deployment's namespace
 * (namespace.ts). Task names carry the stored format's version, bumped when a stored answer's
 * shape changes; the quota key carries none, so old and new replicas count against one budget.
 */ import type { ProviderName } from '../../providers/errors.js';

export const SHARED_FORMAT_VERSION = 'v2';

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
