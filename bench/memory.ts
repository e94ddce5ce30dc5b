/**
 * Measurement 5, memory: the subgraph's resident set size before, during and after a
 * sustained load, sampled from outside the process once a second. The load mixes a hot
 * set of finished tasks (cache hits) with a walk through more distinct tasks than
 * CACHE_MAX_ENTRIES holds (every one a miss and an upstream call), so the cache fills
 * to its bound and then evicts; memory should stop growing once it is full, so warm-up
 * ends when the walk has named CACHE_MAX_ENTRIES distinct tasks.
 */
import fetch from 'node-fetch';
import { runLoad, type LoadResult, type LoadSettings } from './load.js';
import { WORKFLOW_ONE, WORKFLOW_LIST } from './queries.js';
import { postGraphQL, assertNoErrors } from './graphql.js';
import { sleep, type Child } from './processes.js';
import type { TaskFactory } from './tasks.js';

export interface MemorySample {
  /** Seconds since the load started (negative: before it, beyond duration: after it). */
  readonly atSeconds: number;
  readonly rssBytes: number;
}

export interface MemorySummary {
  readonly settings: LoadSettings & { readonly cacheMaxEntries: number; readonly hotTasks: number; readonly churnTasks: number };
  readonly load: LoadResult;
  /** Requests that asked for a task outside the hot set, and how many distinct such tasks they named. */
  readonly churnRequests: number;
  readonly churnDistinctTasks: number;
  readonly rssBeforeBytes: number;
  /**
   * Seconds into the load when the cache reached CACHE_MAX_ENTRIES (the churn walk had
   * named that many distinct tasks): the end of warm-up. null when the run was too short.
   */
  readonly cacheFullAtSeconds: number | null;
  /** The first sample after the cache was full (NaN when it never was). */
  readonly rssAfterWarmupBytes: number;
  readonly rssPeakBytes: number;
  readonly rssEndOfLoadBytes: number;
  readonly rssAfterBytes: number;
  /** (end of load - after warm-up) / after warm-up; NaN when the cache never filled. */
  readonly growthAfterWarmup: number;
  readonly heapUsedBeforeBytes: number;
  readonly heapUsedAfterBytes: number;
  readonly samples: MemorySample[];
}

export async function measureMemory(
  child: Child,
  tasks: TaskFactory,
  settings: LoadSettings & { readonly cacheMaxEntries: number },
): Promise<MemorySummary> {
  const hot = tasks.workflow(50);
  const churn = tasks.workflow(settings.cacheMaxEntries * 2);
  const warm = await postGraphQL(child.url, WORKFLOW_LIST, { ids: hot });
  assertNoErrors(warm.body, 'memory warm-up');
  await sleep(1_000);
  const rssBeforeBytes = child.rssBytes();
  const heapUsedBeforeBytes = await heapUsed(child.url);
  const started = performance.now();

  let sent = 0;
  let churnRequests = 0;
  let cacheFullAt: number | null = null;
  const body = (): string => {
    sent += 1;
    if (cacheFullAt === null && churnRequests >= settings.cacheMaxEntries) cacheFullAt = (performance.now() - started) / 1000;
    // Every other request walks the churn set, always a task the cache no longer holds.
    const taskId = sent % 2 === 0 ? churn[churnRequests++ % churn.length]! : hot[sent % hot.length]!;
    return JSON.stringify({ query: WORKFLOW_ONE, variables: { id: taskId } });
  };
  const samples: MemorySample[] = [];
  const sampler = setInterval(() => samples.push({ atSeconds: (performance.now() - started) / 1000, rssBytes: child.rssBytes() }), 1_000);
  const load = await runLoad({ url: child.url, body, verifyBody: answeredWithData }, settings);
  clearInterval(sampler);
  const rssEndOfLoadBytes = child.rssBytes();
  samples.push({ atSeconds: (performance.now() - started) / 1000, rssBytes: rssEndOfLoadBytes });
  await sleep(5_000);
  const rssAfterBytes = child.rssBytes();
  const heapUsedAfterBytes = await heapUsed(child.url);
  samples.push({ atSeconds: (performance.now() - started) / 1000, rssBytes: rssAfterBytes });

  const fullAt: number | null = cacheFullAt;
  const during = samples.filter((sample) => sample.atSeconds <= settings.durationSeconds + 1);
  const afterWarmup = fullAt === null ? undefined : during.find((sample) => sample.atSeconds >= fullAt);
  const rssAfterWarmupBytes = afterWarmup?.rssBytes ?? Number.NaN;
  return {
    settings: { ...settings, hotTasks: hot.length, churnTasks: churn.length },
    load,
    churnRequests,
    churnDistinctTasks: Math.min(churnRequests, churn.length),
    rssBeforeBytes,
    cacheFullAtSeconds: fullAt,
    rssAfterWarmupBytes,
    rssPeakBytes: Math.max(...during.map((sample) => sample.rssBytes)),
    rssEndOfLoadBytes,
    rssAfterBytes,
    growthAfterWarmup: (rssEndOfLoadBytes - rssAfterWarmupBytes) / rssAfterWarmupBytes,
    heapUsedBeforeBytes,
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
