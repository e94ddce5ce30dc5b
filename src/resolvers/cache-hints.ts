/**
 * Cache hints that follow each task's state, so the router's response cache (and any
 * CDN reading Cache-Control) may keep a finished task for long and a running one only
 * briefly. Hints are set where a task is loaded; nested types inherit them
 * (`@cacheControl(inheritMaxAge: true)` in schema/).
 */
import { maybeCacheControlFromInfo } from '@apollo/cache-control-types';
import type { GraphQLResolveInfo } from 'graphql';

export interface TaskMaxAge {
  /** max-age for a task the provider will not change again. */
  readonly terminalSeconds: number;
  /** max-age for a task still in progress. */
  readonly runningSeconds: number;
  /** Epoch ms, against which signed URLs' expiries are measured; Date.now unless a test injects a clock. */
  readonly now?: () => number;
}

type CachedTask = { readonly terminal: boolean; readonly signedUrlsExpireAt?: number | null };

/** The state's max-age, and never past the expiry of a signed URL in the task. */
export function taskMaxAgeSeconds(task: CachedTask, maxAge: TaskMaxAge): number {
  const stateSeconds = task.terminal ? maxAge.terminalSeconds : maxAge.runningSeconds;
  const expiresAt = task.signedUrlsExpireAt ?? null;
  if (expiresAt === null) return stateSeconds;
  const now = (maxAge.now ?? Date.now)();
  return Math.min(stateSeconds, Math.max(0, Math.floor((expiresAt - now) / 1000)));
}

/**
 * Loads a task and narrows the field's cache hint to it. `restrict` keeps the smallest
 * max-age, so a list or an `_entities` call is cacheable only as long as its least
 * stable task; a failed lookup makes it uncacheable.
 */
export async function loadWithCacheHint<T extends CachedTask>(
  load: Promise<T>,
  info: GraphQLResolveInfo,
  maxAge: TaskMaxAge,
): Promise<T> {
  const cacheControl = maybeCacheControlFromInfo(info);
  try {
    const task = await load;
    cacheControl?.cacheHint.restrict({ maxAge: taskMaxAgeSeconds(task, maxAge) });
    return task;
  } catch (error) {
    cacheControl?.cacheHint.restrict({ maxAge: 0 });
    throw error;
  }
}
