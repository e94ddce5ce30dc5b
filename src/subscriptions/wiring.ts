/** The poller registry as the app configures it: intervals from config, events to metrics and the log, a gauge per provider. */
import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import type { Metrics } from '../observability/metrics.js';
import { PROVIDER_LIST } from '../providers/registry.js';
import type { Clock } from '../upstream/clock.js';
import type { ProviderName } from '../providers/errors.js';
import type { RateLimiter } from '../upstream/rate-limiter.js';
import { cappedWatches, type CappedWatches } from './capacity.js';
import { createTaskWatches, type TaskWatchSources } from './task-watches.js';

/**
 * A running task is polled as often as the cache lets a running answer live, so every poll finds
 * a fresh answer from the provider (or from another replica through a shared cache). With that
 * TTL at 0 (no caching of running tasks) polls would follow one another at once; this floor keeps
 * them to a few per second, within the rate budget.
 */
export const MIN_RUNNING_INTERVAL_MS = 250;

export function subscriptionWatches(
  sources: TaskWatchSources,
  config: Pick<AppConfig, 'subscriptions' | 'upstream'>,
  deps: {
    readonly clock: Clock;
    readonly metrics: Metrics;
    readonly logger: Logger;
    /** Each provider's rate limiter, for its refresh scheduler and the quota-by-class counter. */
    readonly quotas?: Partial<Record<ProviderName, RateLimiter>>;
  },
): CappedWatches {
  const { metrics, logger } = deps;
  const watches = createTaskWatches(
    sources,
    {
      intervals: {
        runningMs: Math.max(config.upstream.cache.runningTtlMs, MIN_RUNNING_INTERVAL_MS),
        waitingMs: config.subscriptions.waitingIntervalMs,
      },
      maxDurationMs: config.subscriptions.maxDurationMs,
      maxWatchedTasks: config.subscriptions.maxWatchedTasks,
      maxWatchedTasksPerClient: config.subscriptions.maxWatchedTasksPerClient,
      // The cache keeps a NOT_FOUND this long too: a task created a moment ago is seen as soon.
      notFoundTtlMs: config.upstream.cache.notFoundTtlMs,
      // Enough polls in flight to use the whole budget at the provider's latency, few enough that the limiter serves them in a slot or two.
      scheduler: {
        maxInFlight: Math.max(
          2,
          Math.ceil(Math.max(config.upstream.rateLimit.mpsRps, config.upstream.rateLimit.iceRps) / 4),
        ),
      },
    },
    {
      clock: deps.clock,
      ...(deps.quotas && { quotas: deps.quotas }),
      events: {
        onPoll: (provider, outcome) => metrics.subscriptionPoll(provider, outcome),
        onEventSent: (provider, kind) => metrics.subscriptionEventSent(provider, kind),
        onUnexpectedError: (provider, taskId, error) =>
          logger.error({ provider, taskId, err: error }, 'subscription poll failed unexpectedly'),
        onClientBudgetRefused: (provider) => metrics.subscriptionBudgetRefused(provider),
      },
    },
  );
  for (const { name } of PROVIDER_LIST) {
    metrics.watchSubscriptions(name, () => watches.counts(name));
    metrics.watchRefreshInterval(name, () => watches.refresh(name).effectiveIntervalMs);
    deps.quotas?.[name]?.onGrant((priority) => metrics.quotaUsed(name, priority));
  }
  return cappedWatches(watches, config.subscriptions.maxActive);
}
