/**
 * Times each provider call (one attempt: signed request plus parse) for the
 * `onUpstreamCall` hook. It sits under the rate limiter, so the time waited for a
 * turn is not counted as provider latency.
 */
import type { ProviderName } from '../providers/errors.js';
import type { TaskSource } from '../sources/task-source.js';
import type { Clock } from './clock.js';
import { outcomeOf, upstreamEvents, type UpstreamEvents } from './events.js';

export interface MeasuredOptions {
  readonly provider: ProviderName;
  readonly clock: Pick<Clock, 'now'>;
  readonly events?: Partial<UpstreamEvents>;
}

export function measuredSource<T>(source: TaskSource<T>, options: MeasuredOptions): TaskSource<T> {
  const events = upstreamEvents(options.events);
  return async (taskId, call) => {
    const started = options.clock.now();
    try {
      const value = await source(taskId, call);
      events.onUpstreamCall(options.provider, 'OK', options.clock.now() - started);
      return value;
    } catch (error) {
      events.onUpstreamCall(options.provider, outcomeOf(error), options.clock.now() - started);
      throw error;
    }
  };
}
