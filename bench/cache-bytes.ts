/**
 * Measurement 7, the task cache under large tasks: RSS and the cache's own byte gauge
 * (`task_cache_bytes`) while a fresh subgraph is asked, once each, for hundreds of
 * distinct finished workflow tasks of 200 nodes (graph, node results and outputs: about
 * 230 KB of heap each once parsed). Every one is a miss that the cache then keeps, so
 * what the cache holds grows until a bound stops it.
 *
 * Two subgraphs, one after the other, with the same walk over new tasks:
 * - bounded: a small CACHE_MAX_BYTES, so the bytes bind long before CACHE_MAX_ENTRIES;
 * - count only: CACHE_MAX_BYTES out of reach, the cache as it was before the byte bound,
 *   where only the 10,000 entries limit it.
 * The figure is whether the bounded one levels off at its bound while the other keeps growing.
 */
import fetch from 'node-fetch';
import { largeWorkflowTask, type RunningEmulator } from '../src/emulator/index.js';
import { postGraphQL, assertNoErrors } from './graphql.js';
import { sleep, type Child } from './processes.js';

export const WORKFLOW_LARGE = `query WorkflowLarge($id: ID!) {
  workflowTask(taskId: $id) {
    taskId state outputs
    workflow { graph { nodes { id type name } edges { source target } } }
    nodeResults { nodeId status output }
  }
}`;

export interface CacheBytesSample {
  readonly atSeconds: number;
  /** Tasks answered so far. */
  readonly tasksDone: number;
  readonly rssBytes: number;
  readonly cacheBytes: number;
  readonly cacheEntries: number;
}

export interface CacheBytesRun {
  readonly label: 'bounded' | 'count only';
  readonly cacheMaxBytes: number;
  readonly rssIdleBytes: number;
  /** RSS when a quarter, half, three quarters and all of the walk had been answered. */
  readonly rssAtShareBytes: readonly [number, number, number, number];
  readonly cacheBytesAtShare: readonly [number, number, number, number];
  readonly cacheBytesMax: number;
  readonly cacheEntriesEnd: number;
  /** (RSS at the end - RSS at half way) / RSS at half way. */
  readonly rssGrowthSecondHalf: number;
  /**
   * Least-squares slope of RSS over the second half of the walk, in MiB per 100 tasks: one
   * end point is at the mercy of where V8 happens to be between two collections, the slope
   * over dozens of samples much less.
   */
  readonly rssSlopeSecondHalfMiBPer100: number;
  readonly seconds: number;
  readonly samples: CacheBytesSample[];
}

export interface CacheBytesSettings {
  readonly tasks: number;
  readonly nodesPerTask: number;
  readonly connections: number;
  readonly boundedMaxBytes: number;
}

export interface CacheBytesSummary {
  readonly settings: CacheBytesSettings;
  readonly runs: readonly [CacheBytesRun, CacheBytesRun];
}

/** A bound no walk here reaches: the cache limited by its entry count alone, as before. */
export const COUNT_ONLY_MAX_BYTES = 64 * 1024 * 1024 * 1024;

let serial = 0;

export async function measureCacheBytes(
  start: (cacheMaxBytes: number) => Promise<Child>,
  emulator: RunningEmulator,
  settings: CacheBytesSettings,
): Promise<CacheBytesSummary> {
  const bounded = await walk('bounded', settings.boundedMaxBytes, start, emulator, settings);
  const countOnly = await walk('count only', COUNT_ONLY_MAX_BYTES, start, emulator, settings);
  return { settings, runs: [bounded, countOnly] };
}

async function walk(
  label: CacheBytesRun['label'],
  cacheMaxBytes: number,
  start: (cacheMaxBytes: number) => Promise<Child>,
  emulator: RunningEmulator,
  settings: CacheBytesSettings,
): Promise<CacheBytesRun> {
  const child = await start(cacheMaxBytes);
  try {
    await sleep(1_000);
    const rssIdleBytes = child.rssBytes();
    const started = performance.now();
    let done = 0;
    const samples: CacheBytesSample[] = [];
    const sample = async (): Promise<void> => {
      const gauge = await cacheGauge(child.url);
      samples.push({
        atSeconds: (performance.now() - started) / 1000,
        tasksDone: done,
        rssBytes: child.rssBytes(),
        ...gauge,
      });
    };
    let walking = true;
    const sampler = (async () => {
      while (walking) {
        await sample();
        await sleep(250);
      }
    })();

    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < settings.tasks) {
        next += 1;
        serial += 1;
        // Made just before it is asked for: hundreds of large tasks built up front would only delay the walk.
        const taskId = `bench-large-${String(serial).padStart(6, '0')}`;
        emulator.putWorkflowTask(taskId, largeWorkflowTask(taskId, settings.nodesPerTask));
        const { body } = await postGraphQL(child.url, WORKFLOW_LARGE, { id: taskId });
        assertNoErrors(body, 'cache bytes walk');
        const nodes = (body.data?.['workflowTask'] as { workflow?: { graph?: { nodes?: unknown[] } } } | undefined)
          ?.workflow?.graph?.nodes;
        if (nodes?.length !== settings.nodesPerTask)
          throw new Error(`cache bytes walk: ${taskId} came back with ${String(nodes?.length)} nodes`);
        done += 1;
      }
    };
    await Promise.all(Array.from({ length: settings.connections }, worker));
    const seconds = (performance.now() - started) / 1000;
    walking = false;
    await sampler;
    await sleep(2_000);
    await sample();

    const at = (share: number): CacheBytesSample =>
      samples.find((each) => each.tasksDone >= share * settings.tasks) ?? samples[samples.length - 1]!;
    const shares = [0.25, 0.5, 0.75, 1] as const;
    const points = shares.map(at);
    const end = samples[samples.length - 1]!;
    const half = at(0.5);
    return {
      label,
      cacheMaxBytes,
      rssIdleBytes,
      rssAtShareBytes: [points[0]!.rssBytes, points[1]!.rssBytes, points[2]!.rssBytes, end.rssBytes],
      cacheBytesAtShare: [points[0]!.cacheBytes, points[1]!.cacheBytes, points[2]!.cacheBytes, end.cacheBytes],
      cacheBytesMax: Math.max(...samples.map((each) => each.cacheBytes)),
      cacheEntriesEnd: end.cacheEntries,
      rssGrowthSecondHalf: (end.rssBytes - half.rssBytes) / half.rssBytes,
      rssSlopeSecondHalfMiBPer100:
        (slope(samples.filter((each) => each.tasksDone >= half.tasksDone)) * 100) / (1024 * 1024),
      seconds,
      samples,
    };
  } finally {
    await child.stop();
  }
}

/** Least-squares slope of RSS bytes per task answered. */
function slope(samples: readonly CacheBytesSample[]): number {
  const n = samples.length;
  if (n < 2) return Number.NaN;
  const meanX = samples.reduce((sum, each) => sum + each.tasksDone, 0) / n;
  const meanY = samples.reduce((sum, each) => sum + each.rssBytes, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const each of samples) {
    covariance += (each.tasksDone - meanX) * (each.rssBytes - meanY);
    variance += (each.tasksDone - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}

/** The ICE task cache's gauges, from the subgraph's own Prometheus metrics. */
async function cacheGauge(url: string): Promise<{ cacheBytes: number; cacheEntries: number }> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const read = (name: string): number => {
    const match = new RegExp(`^${name}\\{provider="alibaba-ice"\\} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : Number.NaN;
  };
  return { cacheBytes: read('task_cache_bytes'), cacheEntries: read('task_cache_entries') };
}
