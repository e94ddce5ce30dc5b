/**
 * Measurement 8, live updates: N WebSocket subscribers (each on its own connection, as N
 * dashboards) of one running MPS task whose progress changes at every provider call, so every
 * poll is an event. For 1, 10 and 100 subscribers: events delivered per second (all subscribers
 * together) and provider calls for the task per minute. The goal is that the second figure does
 * not depend on N: one poller per task, one call per interval (CACHE_RUNNING_TTL_MS).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { JsonObject, RunningEmulator } from '../src/emulator/index.js';
import { sleep, type Child } from './processes.js';

export interface SubscriptionRun {
  readonly subscribers: number;
  readonly runningIntervalMs: number;
  readonly seconds: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly providerCalls: number;
  readonly providerCallsPerMinute: number;
  /** Subscribers that saw every event the poller produced after they were all connected (no loss, no duplicate). */
  readonly subscribersInStep: number;
}

export interface SubscriptionSummary {
  readonly settings: {
    readonly seconds: number;
    readonly counts: readonly number[];
    readonly intervals: readonly number[];
  };
  readonly runs: SubscriptionRun[];
}

const SUBSCRIPTION = 'subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId state results { progress } } }';

/** A running task that moves on at every call: 10,000 steps of PROCESSING with a changing progress. */
function endlessProgress(): JsonObject[] {
  return Array.from({ length: 10_000 }, (_, index) => ({
    TaskType: 'WorkflowTask',
    Status: 'PROCESSING',
    ErrCode: 0,
    ErrMsg: '',
    Message: '',
    ImageProcessTaskResultSet: [
      { Status: 'PROCESSING', ErrMsg: '', Message: '', Progress: index % 100, Output: { Path: `/step/${index}` } },
    ],
    CreateTime: '2026-05-04T08:00:00Z',
    FinishTime: null,
  }));
}

export async function measureSubscriptions(
  startSubgraph: (env: Record<string, string>) => Promise<Child>,
  emulator: RunningEmulator,
  settings: SubscriptionSummary['settings'],
): Promise<SubscriptionSummary> {
  const runs: SubscriptionRun[] = [];
  for (const runningIntervalMs of settings.intervals) {
    const subgraph = await startSubgraph({
      CACHE_RUNNING_TTL_MS: String(runningIntervalMs),
      SUBSCRIPTION_MAX_PER_CONNECTION: '10',
    });
    try {
      for (const subscribers of settings.counts) {
        const taskId = `bench-live-${runningIntervalMs}-${subscribers}`;
        emulator.scriptTask('tencent-mps', taskId, endlessProgress(), { advanceEveryCalls: 1 });
        const clients: Client[] = [];
        const seen: number[][] = [];
        const wsUrl = new URL('/graphql', subgraph.url.replace(/^http/, 'ws')).toString();
        for (let index = 0; index < subscribers; index += 1) {
          const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
          clients.push(client);
          const mine: number[] = [];
          seen.push(mine);
          client.subscribe(
            { query: SUBSCRIPTION, variables: { id: taskId } },
            {
              next: (result) => {
                const results = (
                  result.data?.['imageTaskUpdated'] as { results: Array<{ progress: number }> } | undefined
                )?.results;
                mine.push(results?.[0]?.progress ?? -1);
              },
              error: () => undefined,
              complete: () => undefined,
            },
          );
        }
        // Everyone connected and holding the first event before the clock starts.
        while (seen.some((events) => events.length === 0)) await sleep(20);
        const eventsBefore = seen.reduce((sum, events) => sum + events.length, 0);
        const callsBefore = emulator.callCount({ taskId });
        const lengths = seen.map((events) => events.length);
        const started = performance.now();
        await sleep(settings.seconds * 1000);
        const seconds = (performance.now() - started) / 1000;
        const events = seen.reduce((sum, list) => sum + list.length, 0) - eventsBefore;
        const providerCalls = emulator.callCount({ taskId }) - callsBefore;
        // Every subscriber should hold the same new events in the same order, none twice; the
        // sample is not taken at one instant for all, so one may hold one event more than another.
        const fresh = seen.map((list, index) => list.slice(lengths[index]));
        const longest = fresh.reduce((a, b) => (b.length > a.length ? b : a), [] as number[]);
        const subscribersInStep = fresh.filter(
          (list) =>
            list.every((value, index) => value === longest[index] && (index === 0 || value !== list[index - 1])) &&
            list.length >= longest.length - 1,
        ).length;
        for (const client of clients) await client.dispose();
        runs.push({
          subscribers,
          runningIntervalMs,
          seconds,
          events,
          eventsPerSecond: events / seconds,
          providerCalls,
          providerCallsPerMinute: (providerCalls * 60) / seconds,
          subscribersInStep,
        });
        // Let the poller of this task stop before the next count starts.
        await sleep(runningIntervalMs + 500);
      }
    } finally {
      await subgraph.stop();
    }
  }
  return { settings, runs };
}
