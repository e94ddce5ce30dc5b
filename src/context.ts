/** What every resolver receives: this request's loaders and limits. Built per request by server.ts. */
import type { TaskLoaders } from './loaders/task-loaders.js';
import type { TaskMaxAge } from './resolvers/cache-hints.js';

export interface RequestLimits {
  /** Most ids one list query may name. */
  readonly maxTaskIds: number;
}

export interface RequestContext {
  readonly requestId: string;
  readonly loaders: TaskLoaders;
  readonly limits: RequestLimits;
  /** Cache-Control max-age by task state. */
  readonly taskMaxAge: TaskMaxAge;
}
