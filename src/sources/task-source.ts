/**
 * A task source turns a task id into a parsed model: one signed provider call plus
 * the pure parser. Loaders batch over sources; production concerns (caching,
 * in-flight sharing, retries, rate limits; see src/upstream/) wrap a source without
 * changing its shape.
 */

/** What one lookup may spend: the GraphQL request's deadline and, optionally, its cancellation. */
export interface TaskCall {
  /** Epoch ms by which the answer is needed; nothing below waits or retries past it. */
  readonly deadline?: number;
  /** Aborts the provider call (and any wait for it) when nobody needs the answer any more. */
  readonly signal?: AbortSignal;
}

export type TaskSource<T> = (taskId: string, call?: TaskCall) => Promise<T>;
