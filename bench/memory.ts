/**
 * Measurement 5, memory: the subgraph's resident set size before, during and after a
 * sustained load, sampled from outside the process once a second. The load mixes a hot
 * set of finished tasks (cache hits) with a walk through more distinct tasks than
 * CACHE_MAX_ENTRIES holds (every one a miss and an upstream call), so the cache fills
 * to its bound and then keeps evicting.
 *
 * Two phases with the same load:
 * - warm-up, until the cache is full and RSS has stopped rising (its range over the last
 *   `settleSeconds` within `settleShare`), or `maxWarmupSeconds` have passed. Filling the
 *   cache is not the whole of warm-up: V8 then sizes its old generation to the larger live
 *   heap over a few major collections, which takes seconds more. Measured earlier from the
 *   moment the cache was full, that sizing read as growth (docs/BENCHMARKS.md).
 * - the measured load, `durationSeconds` long: "flat" is about this phase, where any
 *   growth would be memory the bounded caches do not account for.
 */
import fetch from 'node-fetch';
import { runLoad, type LoadResult, type LoadSettings } from './load.js';
import { WORKFLOW_ONE, WORKFLOW_LIST } from './queries.js';
import { postGraphQL, assertNoErrors } from './graphql.js';
import { sleep, type Child } from './processes.js';
import type { TaskFactory } from './tasks.js';

export interface MemorySample {
  /** Seconds since the warm-up load started. */
  readonly atSeconds: number;
  readonly rssBytes: number;
  readonly phase: 'warm-up' | 'load' | 'after';
}

export interface MemorySettings extends LoadSettings {
  readonly cacheMaxEntries: number;
  /** Warm-up ends when the RSS range over this many seconds... */
  readonly settleSeconds: number;
  /** ...is at most this share of the current RSS (and the cache is full). */
  readonly settleShare: number;
  readonly maxWarmupSeconds: number;
}

export interface MemorySummary {
  readonly settings: MemorySettings & { readonly hotTasks: number; readonly churnTasks: number };
  /** The measured phase's load (warm-up traffic not included). */
  readonly load: LoadResult;
  readonly warmupRequests: number;
  /** Requests that asked for a task outside the hot set, in both phases, and how many distinct tasks they named. */
  readonly churnRequests: number;
  readonly churnDistinctTasks: number;
  /** Idle, before any load. */
  readonly rssIdleBytes: number;
  /** Seconds into warm-up when the churn walk had named CACHE_MAX_ENTRIES distinct tasks (the cache was full); null if never. */
  readonly cacheFullAtSeconds: number | null;
  readonly rssAtCacheFullBytes: number;
  readonly warmupSeconds: number;
  /** False when warm-up hit maxWarmupSeconds before RSS settled. */
  readonly warmupSettled: boolean;
  /** At the start of the measured load (the end of warm-up). */
  readonly rssBeforeBytes: number;
  readonly rssPeakBytes: number;
  readonly rssEndOfLoadBytes: number;
  /** Five seconds after the load stopped. */
  readonly rssAfterBytes: number;
  /** (end of measured load - start of measured load) / start. */
  readonly growthDuringLoad: number;
  /** (start of measured load - cache full) / cache full: what the old reading called growth. */
  readonly growthCacheFullToWarm: number;
  readonly heapUsedIdleBytes: number;
  readonly heapUsedAfterBytes: number;
  readonly samples: MemorySample[];
}

const WARMUP_CHUNK_SECONDS = 5;

export async function measureMemory(
  child: Child,
  tasks: TaskFactory,
  settings: MemorySettings,
): Promise<MemorySummary> {
  const hot = tasks.workflow(50);
  const churn = tasks.workflow(settings.cacheMaxEntries * 2);
  const warm = await postGraphQL(child.url, WORKFLOW_LIST, { ids: hot });
  assertNoErrors(warm.body, 'memory warm-up');
  await sleep(1_000);
  const rssIdleBytes = child.rssBytes();
  const heapUsedIdleBytes = await heapUsed(child.url);
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;

  let sent = 0;
  let churnRequests = 0;
  let cacheFullAt: number | null = null;
  let phase: MemorySample['phase'] = 'warm-up';
  const body = (): string => {
    sent += 1;
    if (cacheFullAt === null && churnRequests >= settings.cacheMaxEntries) cacheFullAt = elapsed();
    // Every other request walks the churn set: with twice CACHE_MAX_ENTRIES tasks in an LRU
    // cache, the next one in the walk is always one the cache has already let go.
    const taskId = sent % 2 === 0 ? churn[churnRequests++ % churn.length]! : hot[sent % hot.length]!;
    return JSON.stringify({ query: WORKFLOW_ONE, variables: { id: taskId } });
  };
  const target = { url: child.url, body, verifyBody: answeredWithData };
  const samples: MemorySample[] = [];
  const sample = (): void => {
    samples.push({ atSeconds: elapsed(), rssBytes: child.rssBytes(), phase });
  };
  const sampler = setInterval(sample, 1_000);

  let warmupRequests = 0;
  let warmupFailed = 0;
  const settled = (): boolean => {
    const recent = samples.filter((each) => each.phase === 'warm-up').slice(-settings.settleSeconds);
    // The whole window after the cache filled: a full cache is part of what must have settled.
    if (cacheFullAt === null || recent.length < settings.settleSeconds || recent[0]!.atSeconds < cacheFullAt)
      return false;
    const values = recent.map((each) => each.rssBytes);
    return Math.max(...values) - Math.min(...values) <= settings.settleShare * values[values.length - 1]!;
  };
  while (elapsed() < settings.maxWarmupSeconds && !settled()) {
    const chunk = await runLoad(target, { connections: settings.connections, durationSeconds: WARMUP_CHUNK_SECONDS });
    warmupRequests += chunk.requests;
    warmupFailed += chunk.failed;
  }
  if (warmupFailed > 0) throw new Error(`memory warm-up: ${warmupFailed} failed requests`);
  const warmupSettled = settled();
  const warmupSeconds = elapsed();
  const fullAt: number | null = cacheFullAt;
  const rssAtCacheFullBytes =
    fullAt === null ? Number.NaN : (samples.find((each) => each.atSeconds >= fullAt)?.rssBytes ?? Number.NaN);

  phase = 'load';
  const rssBeforeBytes = child.rssBytes();
  samples.push({ atSeconds: elapsed(), rssBytes: rssBeforeBytes, phase });
  const load = await runLoad(target, settings);
  const rssEndOfLoadBytes = child.rssBytes();
  samples.push({ atSeconds: elapsed(), rssBytes: rssEndOfLoadBytes, phase });
  phase = 'after';
  await sleep(5_000);
  clearInterval(sampler);
  const rssAfterBytes = child.rssBytes();
  const heapUsedAfterBytes = await heapUsed(child.url);
  samples.push({ atSeconds: elapsed(), rssBytes: rssAfterBytes, phase });

  return {
    settings: { ...settings, hotTasks: hot.length, churnTasks: churn.length },
    load,
    warmupRequests,
    churnRequests,
    churnDistinctTasks: Math.min(churnRequests, churn.length),
    rssIdleBytes,
    cacheFullAtSeconds: fullAt,
    rssAtCacheFullBytes,
    warmupSeconds,
    warmupSettled,
    rssBeforeBytes,
    rssPeakBytes: Math.max(...samples.filter((each) => each.phase === 'load').map((each) => each.rssBytes)),
    rssEndOfLoadBytes,
    rssAfterBytes,
    growthDuringLoad: (rssEndOfLoadBytes - rssBeforeBytes) / rssBeforeBytes,
    growthCacheFullToWarm: (rssBeforeBytes - rssAtCacheFullBytes) / rssAtCacheFullBytes,
    heapUsedIdleBytes,
    heapUsedAfterBytes,
    samples,
  };
}

function answeredWithData(text: string): boolean {
  try {
    const body = JSON.parse(text) as { data?: { workflowTask?: unknown } | null; errors?: unknown };
    return body.errors === undefined && typeof body.data?.workflowTask === 'object' && body.data.workflowTask !== null;
  } catch {
    return false;
  }
}

/** V8 heap in use, from the subgraph's own Prometheus metrics. */
async function heapUsed(url: string): Promise<number> {
  const response = await fetch(new URL('/metrics', url));
  const match = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(await response.text());
  return match ? Number(match[1]) : Number.NaN;
}
