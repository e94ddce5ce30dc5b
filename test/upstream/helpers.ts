import { ProviderError, type ProviderErrorKind } from '../../src/providers/errors.js';
import type { CallTally, TaskCall } from '../../src/sources/task-source.js';

export interface Task {
  readonly taskId: string;
  readonly terminal: boolean;
  /** Which upstream call produced it, to tell a fresh answer from a reused one. */
  readonly call: number;
}

/** A request's counts before any lookup. */
export function newTally(): CallTally {
  return { upstreamCalls: 0, cacheHits: 0, cacheMisses: 0, inFlightShared: 0, retries: 0 };
}

export function providerError(
  kind: ProviderErrorKind,
  extra: { retryAfterMs?: number; retryable?: boolean } = {},
): ProviderError {
  return new ProviderError({ provider: 'tencent-mps', kind, message: `tencent-mps ${kind}`, ...extra });
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A source whose answers the test scripts: each call takes the next step (a task
 * state, an error, or `'hang'` = never settles unless aborted); after the script,
 * the last step repeats. Calls and what they were passed are recorded.
 */
export function scriptedSource(steps: ReadonlyArray<'running' | 'terminal' | 'hang' | Error | Deferred<Task>>) {
  const calls: Array<{ taskId: string; call: TaskCall | undefined }> = [];
  const source = (taskId: string, call?: TaskCall): Promise<Task> => {
    calls.push({ taskId, call });
    const step = steps[Math.min(calls.length, steps.length) - 1]!;
    const n = calls.length;
    if (step === 'running' || step === 'terminal')
      return Promise.resolve({ taskId, terminal: step === 'terminal', call: n });
    if (step instanceof Error) return Promise.reject(step);
    if (step === 'hang') {
      return new Promise<Task>((_resolve, reject) => {
        call?.signal?.addEventListener(
          'abort',
          () => reject(providerError('UPSTREAM_UNAVAILABLE', { retryable: false })),
          { once: true },
        );
      });
    }
    return step.promise;
  };
  return { source, calls };
}
