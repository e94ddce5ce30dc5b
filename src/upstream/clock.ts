/**
 * Time as a dependency. Every upstream wrapper waits (backoff, rate-limit queue,
 * deadlines) through this interface, so tests drive them with a fake clock and
 * assert counts and order, never elapsed milliseconds.
 */

/** Opaque: whatever `setTimeout` returned, handed back to `clearTimeout`. */
export type TimerHandle = unknown;

export interface Clock {
  /** Epoch milliseconds; the same scale as the per-request deadline. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node's timers, with an injectable `now` (the app passes its own). */
export function systemClock(now: () => number = Date.now): Clock {
  return {
    now,
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

/**
 * Resolves after `ms`, or rejects with `onAbort()` as soon as `signal` aborts
 * (at once when it already has), so no waiter outlives its request.
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(onAbort());
      return;
    }
    const abort = (): void => {
      clock.clearTimeout(timer);
      reject(onAbort());
    };
    const timer = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', abort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', abort, { once: true });
  });
}
