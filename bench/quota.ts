/**
 * Measurement 11, the provider quota under live updates: W watched running MPS tasks (W/100
 * WebSocket connections of 100 subscriptions each, the default limits, MPS at 20/s) and, beside
 * them, interactive lookups of new tasks, then the same with an anonymous client flooding the
 * subgraph with subscriptions to unknown ids. Per W: interactive latency (p50, p95, max), time
 * until every subscription has its first event (against the floor W/Q), the effective refresh
 * interval (against W / spare rate), the busiest second at the provider, the flood's share of calls.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { CallRecord, JsonObject, RunningEmulator } from '../src/emulator/index.js';
import { postGraphQL } from './graphql.js';
import { sleep, type Child } from './processes.js';
import { mean, percentile } from './stats.js';

export interface QuotaSettings {
  readonly watched: readonly number[];
  readonly ratePerSecond: number;
  /** CACHE_RUNNING_TTL_MS, the configured refresh interval of a running task. */
  readonly runningIntervalMs: number;
  /** Interactive lookups per second during the steady and flood phases. */
  readonly lookupsPerSecond: number;
  /** Length of the steady phase, at least this and at least 1.6 refresh rounds (so every task is refreshed at least once). */
  readonly steadySeconds: number;
  readonly floodSeconds: number;
  readonly subscriptionsPerConnection: number;
}

export interface LatencyFigures {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** Lookups answered with an error (codes). */
  readonly errors: readonly string[];
}

export interface QuotaRun {
  readonly watched: number;
  readonly firstEventsSeconds: number;
  readonly firstEventsFloorSeconds: number;
  readonly subscriptionsWithFirstEvent: number;
  readonly steadySeconds: number;
  readonly interactive: LatencyFigures;
  /** Mean interval between two provider reads of one watched task over the run, and the largest (or longest a task went unread at the end). */
  readonly refreshMeanSeconds: number;
  readonly refreshMaxSeconds: number;
  /** max(configured interval, W / (Q − interactive rate)). */
  readonly refreshTargetSeconds: number;
  /** Watched tasks read at least twice over the run. */
  readonly tasksRefreshed: number;
  readonly busiestSecond: number;
  /** The busiest provider second of each phase: first reads, steady, flood. */
  readonly busiestByPhase: { readonly firstReads: number; readonly steady: number; readonly flood: number };
  /**
   * The longest the bench process's event loop stalled (p99 and max, ms): the emulator stamps
   * arrivals there, so a stall longer than RATE_LIMIT_MARGIN_MS can bunch arrivals that the
   * subgraph sent paced.
   */
  readonly benchLoopDelayMs: { readonly p99: number; readonly max: number };
  readonly flood: {
    readonly seconds: number;
    readonly interactive: LatencyFigures;
    readonly floodCalls: number;
    readonly allCalls: number;
    readonly share: number;
    /** Flood calls against what the budget allowed in the phase. */
    readonly budgetShare: number;
    readonly floodSubscriptions: number;
  };
}

export interface QuotaSummary {
  readonly settings: QuotaSettings;
  readonly runs: QuotaRun[];
}

const SUBSCRIPTION = 'subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId state } }';
const LOOKUP = 'query ($id: ID!) { imageTask(taskId: $id) { taskId state } }';

/** A task that stays PROCESSING. */
const RUNNING_STEP: JsonObject = {
  TaskType: 'WorkflowTask',
  Status: 'PROCESSING',
  ErrCode: 0,
  ErrMsg: '',
  Message: '',
  ImageProcessTaskResultSet: [{ Status: 'PROCESSING', ErrMsg: '', Message: '', Progress: 10, Output: null }],
  CreateTime: '2026-05-04T08:00:00Z',
  FinishTime: null,
};

/** Every call the emulator records, gathered before its window of full records moves on. */
function callCollector(emulator: RunningEmulator): { readonly all: CallRecord[]; stop(): void } {
  // calls() hands out copies: a call is known by its arrival, its task and its signature (unique per request).
  const seen = new Set<string>();
  const all: CallRecord[] = [];
  const take = (): void => {
    for (const call of emulator.calls()) {
      const key = `${call.receivedAt}|${call.taskId ?? ''}|${call.headers['authorization'] ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      all.push(call);
    }
  };
  // The window holds 1,000 calls: at 20/s that is 50 s; every 2 s is safely inside it.
  const timer = setInterval(take, 2_000);
  return {
    all,
    stop() {
      clearInterval(timer);
      take();
    },
  };
}

function busiest(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= 1000) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

function figures(latencies: readonly number[], errors: readonly string[]): LatencyFigures {
  return {
    samples: latencies.length,
    p50Ms: latencies.length ? percentile(latencies, 50) : 0,
    p95Ms: latencies.length ? percentile(latencies, 95) : 0,
    maxMs: latencies.length ? Math.max(...latencies) : 0,
    errors,
  };
}

/** Interactive lookups of new (uncached) tasks at `perSecond` for `seconds`. */
async function lookups(
  url: string,
  emulator: RunningEmulator,
  tag: string,
  perSecond: number,
  seconds: number,
): Promise<LatencyFigures> {
  const latencies: number[] = [];
  const errors: string[] = [];
  const pending: Array<Promise<void>> = [];
  const count = Math.round(perSecond * seconds);
  for (let index = 0; index < count; index += 1) {
    const taskId = `bench-quota-${tag}-lookup-${index}`;
    emulator.scriptTask('tencent-mps', taskId, [RUNNING_STEP]);
    const started = performance.now();
    pending.push(
      postGraphQL(url, LOOKUP, { id: taskId }, { timeoutMs: 60_000 }).then(
        ({ body }) => {
          latencies.push(performance.now() - started);
          for (const error of body.errors ?? []) errors.push(String(error.extensions?.['code'] ?? 'ERROR'));
        },
        () => void errors.push('CLIENT_TIMEOUT'),
      ),
    );
    await sleep(1000 / perSecond);
  }
  await Promise.all(pending);
  return figures(latencies, errors);
}

/** One anonymous client subscribing to unknown ids, a new one as soon as each ends. */
function flood(wsUrl: string, tag: string): { stop(): Promise<number> } {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  let stopped = false;
  let subscriptions = 0;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      subscriptions += 1;
      const id = `bench-quota-${tag}-unknown-${subscriptions}`;
      await new Promise<void>((resolveEnded) => {
        client.subscribe(
          { query: SUBSCRIPTION, variables: { id } },
          { next: () => undefined, error: () => resolveEnded(), complete: () => resolveEnded() },
        );
      });
    }
  };
  // A few in parallel, as a script opening subscriptions in a loop would.
  const loops = [loop(), loop(), loop(), loop()];
  return {
    async stop() {
      stopped = true;
      await client.dispose();
      await Promise.race([Promise.all(loops), sleep(2_000)]);
      return subscriptions;
    },
  };
}

export async function measureQuota(
  startSubgraph: (env: Record<string, string>) => Promise<Child>,
  emulator: RunningEmulator,
  settings: QuotaSettings,
): Promise<QuotaSummary> {
  const runs: QuotaRun[] = [];
  for (const watched of settings.watched) {
    const tag = `w${watched}-${Date.now()}`;
    const subgraph = await startSubgraph({ CACHE_RUNNING_TTL_MS: String(settings.runningIntervalMs) });
    const wsUrl = new URL('/graphql', subgraph.url.replace(/^http/, 'ws')).toString();
    const clients: Client[] = [];
    emulator.resetCalls();
    const calls = callCollector(emulator);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    try {
      const taskIds = Array.from({ length: watched }, (_, index) => `bench-quota-${tag}-watched-${index}`);
      for (const taskId of taskIds) emulator.scriptTask('tencent-mps', taskId, [RUNNING_STEP]);
      const firstEvents = new Array<boolean>(watched).fill(false);
      const subscribedAt = performance.now();
      for (let connection = 0; connection * settings.subscriptionsPerConnection < watched; connection += 1) {
        const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
        clients.push(client);
        for (let slot = 0; slot < settings.subscriptionsPerConnection; slot += 1) {
          const index = connection * settings.subscriptionsPerConnection + slot;
          if (index >= watched) break;
          client.subscribe(
            { query: SUBSCRIPTION, variables: { id: taskIds[index] } },
            { next: () => void (firstEvents[index] = true), error: () => undefined, complete: () => undefined },
          );
        }
      }
      const floorSeconds = watched / settings.ratePerSecond;
      const giveUpAt = subscribedAt + Math.max(30, 3 * floorSeconds) * 1000;
      while (firstEvents.some((seen) => !seen) && performance.now() < giveUpAt) await sleep(50);
      const firstEventsSeconds = (performance.now() - subscribedAt) / 1000;
      const steadyFrom = Date.now();
      const subscriptionsWithFirstEvent = firstEvents.filter(Boolean).length;

      const spare = settings.ratePerSecond - settings.lookupsPerSecond;
      const refreshTargetSeconds = Math.max(settings.runningIntervalMs / 1000, watched / spare);
      const steadySeconds = Math.max(settings.steadySeconds, Math.ceil(1.6 * refreshTargetSeconds));
      const interactive = await lookups(
        subgraph.url,
        emulator,
        `${tag}-steady`,
        settings.lookupsPerSecond,
        steadySeconds,
      );

      const steadyTo = Date.now();
      const floodFrom = Date.now();
      const flooding = flood(wsUrl, tag);
      const floodLookups = await lookups(
        subgraph.url,
        emulator,
        `${tag}-flood`,
        settings.lookupsPerSecond,
        settings.floodSeconds,
      );
      const floodSubscriptions = await flooding.stop();
      const floodTo = Date.now();
      calls.stop();
      loopDelay.disable();

      const mps = calls.all.filter((call) => call.provider === 'tencent-mps');
      // Every read of each watched task, from its first read to the end of the run (steady and flood phases).
      const watchedSet = new Set(taskIds);
      const readsOf = new Map<string, number[]>();
      for (const call of mps) {
        if (call.taskId === null || !watchedSet.has(call.taskId)) continue;
        readsOf.set(call.taskId, [...(readsOf.get(call.taskId) ?? []), call.receivedAt]);
      }
      const gaps: number[] = [];
      let longestUnread = 0;
      let tasksRefreshed = 0;
      for (const times of readsOf.values()) {
        times.sort((a, b) => a - b);
        if (times.length >= 2) tasksRefreshed += 1;
        for (let index = 1; index < times.length; index += 1) gaps.push(times[index]! - times[index - 1]!);
        // A task starved at the end shows here: how long it had gone unread when the run ended.
        longestUnread = Math.max(longestUnread, floodTo - times[times.length - 1]!);
      }
      const inFlood = mps.filter((call) => call.receivedAt >= floodFrom && call.receivedAt <= floodTo);
      const floodCalls = inFlood.filter((call) => call.taskId?.includes('-unknown-')).length;
      runs.push({
        watched,
        firstEventsSeconds: watched === 0 ? 0 : firstEventsSeconds,
        firstEventsFloorSeconds: floorSeconds,
        subscriptionsWithFirstEvent,
        steadySeconds,
        interactive,
        refreshMeanSeconds: gaps.length ? mean(gaps) / 1000 : 0,
        refreshMaxSeconds: gaps.length ? Math.max(longestUnread, ...gaps) / 1000 : 0,
        refreshTargetSeconds: watched === 0 ? 0 : refreshTargetSeconds,
        tasksRefreshed,
        busiestSecond: busiest(mps.map((call) => call.receivedAt)),
        busiestByPhase: {
          firstReads: busiest(mps.filter((call) => call.receivedAt < steadyFrom).map((call) => call.receivedAt)),
          steady: busiest(
            mps
              .filter((call) => call.receivedAt >= steadyFrom && call.receivedAt < steadyTo)
              .map((call) => call.receivedAt),
          ),
          flood: busiest(mps.filter((call) => call.receivedAt >= floodFrom).map((call) => call.receivedAt)),
        },
        benchLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
        flood: {
          seconds: settings.floodSeconds,
          interactive: floodLookups,
          floodCalls,
          allCalls: inFlood.length,
          share: inFlood.length ? floodCalls / inFlood.length : 0,
          budgetShare: floodCalls / (settings.ratePerSecond * ((floodTo - floodFrom) / 1000)),
          floodSubscriptions,
        },
      });
    } finally {
      calls.stop();
      for (const client of clients) await client.dispose();
      await subgraph.stop();
    }
  }
  return { settings, runs };
}
