/**
 * A task source turns a task id into a parsed model: one signed provider call plus
 * the pure parser. Loaders batch over sources; production concerns (caching,
 * in-flight sharing, retries, rate limits) wrap a source without changing its shape.
 */
export type TaskSource<T> = (taskId: string) => Promise<T>;
