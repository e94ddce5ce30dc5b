/**
 * One subscriber's stream of events, as the AsyncIterator graphql-js's `subscribe` consumes.
 *
 * Bounded however slow the consumer: an undelivered task is replaced by a newer one (a
 * dashboard wants the task as it is now, not every state it passed through while the socket
 * was busy), and the end (complete, or one error event then complete) comes after it. A
 * consumer that keeps up sees every change, in order.
 */
import type { GraphQLError } from 'graphql';

export type TaskEvent<T> =
  { readonly kind: 'task'; readonly task: T } | { readonly kind: 'error'; readonly error: GraphQLError };

type Ending = { readonly kind: 'complete' } | { readonly kind: 'error'; readonly error: GraphQLError };

export interface SubscriberHooks {
  /** The consumer went away (return()) or the stream ended: the poller lets go of it. */
  readonly onEnd: () => void;
  /** An event was handed to the consumer, for the events-sent counter. */
  readonly onDelivered?: (kind: TaskEvent<unknown>['kind']) => void;
}

export class Subscriber<T> implements AsyncIterableIterator<TaskEvent<T>> {
  private pending: T | null = null;
  private ending: Ending | null = null;
  private finished = false;
  private waiter: ((result: IteratorResult<TaskEvent<T>>) => void) | null = null;

  constructor(private readonly hooks: SubscriberHooks) {}

  get ended(): boolean {
    return this.ending !== null || this.finished;
  }

  /** A new state of the task; replaces one the consumer has not taken yet. */
  push(task: T): void {
    if (this.ended) return;
    this.pending = task;
    this.wake();
  }

  /** Ends after what is pending: cleanly, or with one error event. */
  end(ending: Ending): void {
    if (this.ended) return;
    this.ending = ending;
    this.wake();
  }

  next(): Promise<IteratorResult<TaskEvent<T>>> {
    const ready = this.take();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<TaskEvent<T>>> {
    this.finish();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private take(): IteratorResult<TaskEvent<T>> | null {
    if (this.finished) return { done: true, value: undefined };
    if (this.pending !== null) {
      const task = this.pending;
      this.pending = null;
      this.hooks.onDelivered?.('task');
      return { done: false, value: { kind: 'task', task } };
    }
    if (this.ending === null) return null;
    const ending = this.ending;
    this.finish();
    if (ending.kind === 'error') {
      this.hooks.onDelivered?.('error');
      return { done: false, value: { kind: 'error', error: ending.error } };
    }
    return { done: true, value: undefined };
  }

  private wake(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    // Cleared first: taking the ending finishes the stream, which must not answer this waiter "done" before its event.
    this.waiter = null;
    const ready = this.take();
    if (ready) waiter(ready);
    else this.waiter = waiter;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.pending = null;
    this.ending ??= { kind: 'complete' };
    this.hooks.onEnd();
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter({ done: true, value: undefined });
    }
  }
}
