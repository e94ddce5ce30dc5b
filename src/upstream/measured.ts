/**
 * Times each provider attempt (signed request plus parse) for the `onUpstreamCall` hook, under the
 * rate limiter so queueing is not counted as provider latency. Every attempt passes here exactly
 * once: it is counted on the call's tally here, and, when traced, its span is made here.
 */
import type { ProviderName } from '../providers/errors.js';
import type { TaskSource } from '../sources/task-source.js';
import type { Clock } from './clock.js';
import { outcomeOf, upstreamEvents, type UpstreamEvents } from './events.js';

export interface MeasuredOptions {
  readonly provider: ProviderName;
  /** The provider API action every call makes, for the attempt's span. */
  readonly action?: string;
  readonly clock: Pick<Clock, 'now'>;
  readonly events?: Partial<UpstreamEvents>;
}

export function measuredSource<T>(source: TaskSource<T>, options: MeasuredOptions): TaskSource<T> {
  const events = upstreamEvents(options.events);
  return async (taskId, call) => {
    if (call?.tally) call.tally.upstreamCalls += 1;
    // Names, a number and a code only: never the task id's payload, a URL or a signature.
    const span = call?.span?.child('provider attempt', {
      provider: options.provider,
      ...(options.action !== undefined && { action: options.action }),
      attempt: call.attempt ?? 1,
    });
    const started = options.clock.now();
    try {
      const value = await source(taskId, call);
      events.onUpstreamCall(options.provider, 'OK', options.clock.now() - started);
      span?.setAttributes({ outcome: 'OK' });
      return value;
    } catch (error) {
      const outcome = outcomeOf(error);
      events.onUpstreamCall(options.provider, outcome, options.clock.now() - started);
      span?.setAttributes({ outcome });
      span?.fail(outcome);
      throw error;
    } finally {
      span?.end();
    }
  };
}
