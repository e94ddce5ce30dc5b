/**
 * The markdown the bench prints: one summary table of the figures against their goals, then details.
 *
 * Goals 2 and 4 are ratios between processes; when the run's calibration rounds against the
 * node:http reference spread by more than their margin (calibration.ts), those rows say "not
 * comparable" instead of yes or no. Measurements a quick run skips say "not measured".
 */
import type { QuotaSummary } from './quota.js';
import type { CacheBytesSummary } from './cache-bytes.js';
import type { CalibrationSummary } from './calibration.js';
import { describePlan, type CorePlan } from './cores.js';
import type { ColdStartSummary } from './cold-start.js';
import type { EconomyRow } from './economy.js';
import type { FanOutSummary } from './fanout.js';
import type { LatencySummary } from './latency.js';
import type { MemorySummary } from './memory.js';
import type { RedisMemorySummary } from './redis-memory.js';
import type { ScaleOutSummary } from './scale-out.js';
import { fixed, mib } from './stats.js';
import type { SubscriptionSummary } from './subscriptions.js';
import type { ThroughputSummary } from './throughput.js';

export interface BenchResults {
  readonly measuredAt: string;
  readonly machine: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel: string;
  };
  readonly settings: { readonly quick: boolean; readonly upstreamLatencyMs: number; readonly connections: number };
  /** Where measurements 1-4 and the calibration ran (cores.ts); null: not pinned. */
  readonly cores: CorePlan | null;
  readonly calibration: CalibrationSummary;
  readonly economy: EconomyRow[];
  readonly latency: LatencySummary;
  readonly fanOut: FanOutSummary;
  readonly throughput: ThroughputSummary;
  /** null: not measured (BENCH_QUICK). */
  readonly memory: MemorySummary | null;
  readonly coldStart: ColdStartSummary;
  /** null: not measured (BENCH_QUICK). */
  readonly cacheBytes: CacheBytesSummary | null;
  readonly subscriptions: SubscriptionSummary;
  readonly scaleOut: ScaleOutSummary;
  readonly redisMemory: RedisMemorySummary;
  readonly quota: QuotaSummary;
}

const TARGET_LABELS = {
  subgraph: 'subgraph (LOG_LEVEL=info)',
  nodeHttp: 'plain node:http answering the same bytes (the reference)',
  bare: 'bare @apollo/subgraph, standalone',
  bareExpress: 'bare @apollo/subgraph on Express 5',
  subgraphSilent: 'subgraph, LOG_LEVEL=silent',
} as const;

const yes = (met: boolean): string => (met ? 'yes' : '**no**');

/** For a goal that is a ratio between processes: yes or no only on a quiet machine. */
function comparable(calibration: CalibrationSummary, met: boolean): string {
  if (!calibration.busy) return yes(met);
  const spread = Number.isNaN(calibration.spread)
    ? 'fewer than two rounds'
    : `calibration varied by ${fixed(calibration.spread * 100)}%`;
  return `not comparable (machine busy: ${spread}; ${met ? 'would read yes' : 'would read no'})`;
}

const NOT_MEASURED_QUICK = 'not measured (BENCH_QUICK=1: too short for this figure)';

function memoryRow(memory: MemorySummary | null): string {
  if (memory === null)
    return `| 5 | RSS over sustained load after warm-up | ${NOT_MEASURED_QUICK} | flat after warm-up (≤ 5% over the load, warm-up settled) | - |`;
  return `| 5 | RSS over ${memory.settings.durationSeconds} s of load after warm-up | idle ${mib(memory.rssIdleBytes)} MiB · warm-up ${fixed(memory.warmupSeconds)} s${memory.warmupSettled ? '' : ' (did not settle)'} (cache full at ${memory.cacheFullAtSeconds === null ? 'never' : `${fixed(memory.cacheFullAtSeconds)} s`}, ${mib(memory.rssAtCacheFullBytes)} MiB) · start of load ${mib(memory.rssBeforeBytes)} · peak ${mib(memory.rssPeakBytes)} · end of load ${mib(memory.rssEndOfLoadBytes)} · 5 s later ${mib(memory.rssAfterBytes)} MiB; ${fixed(memory.growthDuringLoad * 100)}% over the load | flat after warm-up (read here as ≤ 5% over the load, warm-up settled) | ${yes(memory.warmupSettled && Math.abs(memory.growthDuringLoad) <= 0.05)} |`;
}

function memorySection(memory: MemorySummary | null): string[] {
  if (memory === null) return ['## 5. Memory load', '', `${NOT_MEASURED_QUICK}.`, ''];
  return [
    '## 5. Memory load',
    '',
    `Warm-up: ${memory.warmupRequests} requests in ${fixed(memory.warmupSeconds)} s (until the cache was full and RSS moved at most ${fixed(memory.settings.settleShare * 100, 0)}% over ${memory.settings.settleSeconds} s, at most ${memory.settings.maxWarmupSeconds} s); RSS grew ${fixed(memory.growthCacheFullToWarm * 100)}% from the moment the cache was full to the end of warm-up.`,
    '',
    `Measured load: ${memory.load.requests} requests at ${fixed(memory.load.requestsPerSecond, 0)} req/s, ${memory.load.failed} failed. Over both phases ${memory.churnRequests} requests named ${memory.churnDistinctTasks} distinct tasks outside the hot set, each a cache miss (CACHE_MAX_ENTRIES ${memory.settings.cacheMaxEntries}); V8 heap used ${mib(memory.heapUsedIdleBytes)} MiB idle, ${mib(memory.heapUsedAfterBytes)} MiB after.`,
    '',
    `RSS (MiB) each second, warm-up: ${memory.samples
      .filter((each) => each.phase === 'warm-up')
      .map((each) => mib(each.rssBytes))
      .join(' ')}`,
    '',
    `RSS (MiB) each second, measured load and after: ${memory.samples
      .filter((each) => each.phase !== 'warm-up')
      .map((each) => mib(each.rssBytes))
      .join(' ')}`,
    '',
  ];
}

export function renderReport(r: BenchResults): string {
  const { economy, latency, fanOut, throughput, memory, coldStart } = r;
  const rl = fanOut.rateLimited;
  const lines = [
    `# media-task-subgraph bench${r.settings.quick ? ' (BENCH_QUICK: smoke run, not for publishing)' : ''}`,
    '',
    `${r.measuredAt} · Node ${r.machine.node} · ${r.machine.platform} · ${r.machine.cpus} × ${r.machine.cpuModel} · upstream latency ${r.settings.upstreamLatencyMs} ms (emulator) · measurements 1-4 and calibration: ${describePlan(r.cores)}`,
    '',
    '| # | measurement | figure | goal | met |',
    '|---|---|---|---|---|',
    `| 1 | upstream calls per operation | ${economy.filter((row) => row.meetsGoal).length} of ${economy.length} cases made exactly one call per distinct id | = distinct ids | ${yes(economy.every((row) => row.meetsGoal))} |`,
    `| 2 | uncached latency, one task (subgraph / bare @apollo/subgraph making the same signed call) | p50 ${fixed(latency.vsBare.p50, 3)}× (${fixed(latency.subgraph.p50, 2)} / ${fixed(latency.bare.p50, 2)} ms), p95 ${fixed(latency.vsBare.p95, 3)}× (${fixed(latency.subgraph.p95, 2)} / ${fixed(latency.bare.p95, 2)} ms) · for information, against the direct client call: subgraph p50 ${fixed(latency.ratio.p50, 2)}× (+${fixed(latency.overheadMs.p50, 2)} ms), bare p50 ${fixed(latency.bareRatio.p50, 2)}× | p50 ≤ 1.0×, p95 ≤ 1.05× | ${comparable(r.calibration, latency.vsBare.p50 <= 1.0 && latency.vsBare.p95 <= 1.05)} |`,
    `| 3 | fan-out, 100 workflow tasks | one query ${fixed(fanOut.subgraphListMs)} ms · sequential client ${fixed(fanOut.sequentialClientMs)} ms · Promise.all client ${fixed(fanOut.promiseAllClientMs)} ms | (reported) | - |`,
    `| 3 | fan-out, 100 image tasks at ${rl.ratePerSecond} req/s | ${fixed(rl.wallMs)} ms vs floor ${fixed(rl.floorMs)} ms (+${fixed(rl.overFloor * 100)}%) | within 10% of the floor | ${yes(rl.overFloor <= 0.1)} |`,
    `| 4 | cached throughput (subgraph / plain node:http answering the same bytes) | ${fixed(throughput.rps.subgraph, 0)} / ${fixed(throughput.rps.nodeHttp, 0)} req/s (means); median of the ${throughput.roundRatios.length} rounds' own ratios ${fixed(throughput.ratio, 2)} (${throughput.roundRatios.map((ratio) => fixed(ratio, 2)).join(', ')}) · for information, bare @apollo/subgraph ${fixed(throughput.rps.bare, 0)} req/s (subgraph / bare ${fixed(throughput.ratioToBare, 2)}) | ≥ 0.8 | ${comparable(r.calibration, throughput.ratio >= 0.8)} |`,
    memoryRow(memory),
    `| 6 | cold start to first successful query | median ${fixed(coldStart.medianMs, 0)} ms (min ${fixed(coldStart.minMs, 0)}, max ${fixed(coldStart.maxMs, 0)}, ${coldStart.starts} starts) | (reported) | - |`,
    cacheBytesSummaryRow(r.cacheBytes),
    scaleOutSummaryRow(r.scaleOut),
    redisMemorySummaryRow(r.redisMemory),
    quotaSummaryRow(r.quota),
    `| - | calibration: node:http reference, rounds over the run (median of 3 × ${r.calibration.settings.durationSeconds} s) | ${r.calibration.rounds.map((round) => `${round.at} ${fixed(round.requestsPerSecond, 0)}`).join(' · ')} req/s; spread ${Number.isNaN(r.calibration.spread) ? 'n/a' : `${fixed(r.calibration.spread * 100)}%`} | spread ≤ ${fixed(r.calibration.settings.maxSpread * 100, 0)}% (else 2 and 4 are not comparable) | ${r.calibration.busy ? '**busy**' : 'quiet'} |`,
    '',
    '## 1. Upstream calls per operation',
    '',
    '| via | distinct ids | ids sent | upstream calls |',
    '|---|---|---|---|',
    ...economy.map((row) => `| ${row.via} | ${row.distinctIds} | ${row.idsSent} | ${row.upstreamCalls} |`),
    '',
    `## 2. Latency of one task (ms, ${latency.samples} samples each, alternating)`,
    '',
    '| path | p50 | p95 | p99 |',
    '|---|---|---|---|',
    `| through the subgraph | ${fixed(latency.subgraph.p50, 2)} | ${fixed(latency.subgraph.p95, 2)} | ${fixed(latency.subgraph.p99, 2)} |`,
    `| bare @apollo/subgraph (standalone) whose resolver makes the same client call (the reference) | ${fixed(latency.bare.p50, 2)} | ${fixed(latency.bare.p95, 2)} | ${fixed(latency.bare.p99, 2)} |`,
    `| subgraph / bare (the goal: p50 ≤ 1.0×, p95 ≤ 1.05×) | ${fixed(latency.vsBare.p50, 3)}× | ${fixed(latency.vsBare.p95, 3)}× | ${fixed(latency.vsBare.p99, 3)}× |`,
    `| direct ICE client | ${fixed(latency.direct.p50, 2)} | ${fixed(latency.direct.p95, 2)} | ${fixed(latency.direct.p99, 2)} |`,
    `| subgraph − direct | ${fixed(latency.overheadMs.p50, 2)} | ${fixed(latency.overheadMs.p95, 2)} | ${fixed(latency.overheadMs.p99, 2)} |`,
    `| subgraph / direct | ${fixed(latency.ratio.p50, 2)}× | ${fixed(latency.ratio.p95, 2)}× | ${fixed(latency.ratio.p99, 2)}× |`,
    `| bare / direct | ${fixed(latency.bareRatio.p50, 2)}× | ${fixed(latency.bareRatio.p95, 2)}× | ${fixed(latency.bareRatio.p99, 2)}× |`,
    `| through the subgraph, cached (no provider call) | ${fixed(latency.subgraphCached.p50, 2)} | ${fixed(latency.subgraphCached.p95, 2)} | ${fixed(latency.subgraphCached.p99, 2)} |`,
    '',
    `## 4. Cached throughput (${throughput.settings.connections} connections, ${throughput.settings.durationSeconds} s runs after a ${throughput.settings.warmupSeconds} s warm-up, alternating)`,
    '',
    '| target | req/s | p50 ms | p99 ms | requests | failed |',
    '|---|---|---|---|---|---|',
    ...throughput.runs.map(
      (run) =>
        `| ${TARGET_LABELS[run.target]} | ${fixed(run.requestsPerSecond, 0)} | ${run.latencyP50Ms} | ${run.latencyP99Ms} | ${run.requests} | ${run.failed} |`,
    ),
    '',
    `Mean req/s: ${Object.entries(throughput.rps)
      .map(([name, rps]) => `${TARGET_LABELS[name as keyof typeof TARGET_LABELS]} ${fixed(rps, 0)}`)
      .join(' · ')}`,
    '',
    ...memorySection(memory),
    '## Calibration',
    '',
    `The node:http reference under the throughput load, ${r.calibration.rounds.length} rounds over the run, each the median of three ${r.calibration.settings.durationSeconds} s runs: ${r.calibration.rounds.map((round) => `${round.at} ${fixed(round.requestsPerSecond, 0)} req/s (runs ${round.runs.map((run) => fixed(run, 0)).join('/')}; after ${fixed(round.settleMs / 1000, 1)} s waiting for a quiet machine, ${fixed(round.busyBefore * 100, 0)}% busy then)`).join(', ')}. Spread (fastest − slowest) / fastest: ${Number.isNaN(r.calibration.spread) ? 'n/a' : `${fixed(r.calibration.spread * 100)}%`}; above ${fixed(r.calibration.settings.maxSpread * 100, 0)}% the machine was busy with other work and goals 2 and 4 read "not comparable".`,
    '',
  ];
  return `${lines.join('\n')}\n${r.cacheBytes === null ? `## 7. Task cache under large tasks\n\n${NOT_MEASURED_QUICK} (BENCH_QUICK=1 BENCH_ONLY=7 runs a short version).\n` : renderCacheBytes(r.cacheBytes)}\n${renderSubscriptions(r.subscriptions)}\n${renderScaleOut(r.scaleOut)}\n${renderRedisMemory(r.redisMemory)}\n${renderQuota(r.quota)}`;
}

/**
 * Met when the bounded cache's gauge never passed CACHE_MAX_BYTES and its RSS levelled off:
 * over the second half of the walk it rose at most a quarter as fast as the count-only
 * cache's, measured in the same run. RSS itself swings by tens of MiB between collections
 * under this load, so a bare percentage between two samples would judge the noise.
 */
function cacheBytesMet(summary: CacheBytesSummary): boolean {
  const [bounded, countOnly] = summary.runs;
  return (
    bounded.cacheBytesMax <= bounded.cacheMaxBytes &&
    bounded.rssSlopeSecondHalfMiBPer100 <= 0.25 * countOnly.rssSlopeSecondHalfMiBPer100
  );
}

function cacheBytesSummaryRow(summary: CacheBytesSummary | null): string {
  if (summary === null)
    return `| 7 | task cache under large workflow tasks | ${NOT_MEASURED_QUICK} | gauge ≤ CACHE_MAX_BYTES; RSS levels off | - |`;
  const [bounded, countOnly] = summary.runs;
  return `| 7 | task cache under ${summary.settings.tasks} large workflow tasks (${summary.settings.nodesPerTask} nodes) | CACHE_MAX_BYTES ${mib(bounded.cacheMaxBytes)} MiB: gauge at most ${mib(bounded.cacheBytesMax)} MiB, RSS ${mib(bounded.rssAtShareBytes[1])} → ${mib(bounded.rssAtShareBytes[3])} MiB over the second half, ${fixed(bounded.rssSlopeSecondHalfMiBPer100)} MiB per 100 tasks · count only: cache ${mib(countOnly.cacheBytesMax)} MiB, RSS ${mib(countOnly.rssAtShareBytes[1])} → ${mib(countOnly.rssAtShareBytes[3])} MiB, ${fixed(countOnly.rssSlopeSecondHalfMiBPer100)} MiB per 100 tasks | gauge ≤ CACHE_MAX_BYTES; RSS levels off (second-half slope ≤ ¼ of count only's) | ${yes(cacheBytesMet(summary))} |`;
}

/** Measurement 7's own section (printed alone with BENCH_ONLY=7). */
export function renderCacheBytes(summary: CacheBytesSummary): string {
  const { settings } = summary;
  const lines = [
    `## 7. Task cache under large tasks (${settings.tasks} distinct finished workflow tasks of ${settings.nodesPerTask} nodes, ${settings.connections} at a time, each asked for once)`,
    '',
    '| cache | at idle | ¼ of the walk | ½ | ¾ | all, 2 s later | most bytes in cache | tasks kept | walk | RSS slope, 2nd half |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...summary.runs.map(
      (run) =>
        `| ${run.label} (CACHE_MAX_BYTES ${run.label === 'bounded' ? `${mib(run.cacheMaxBytes)} MiB` : 'out of reach'}): RSS MiB | ${mib(run.rssIdleBytes)} | ${run.rssAtShareBytes.map(mib).join(' | ')} | ${mib(run.cacheBytesMax)} MiB | ${run.cacheEntriesEnd} | ${fixed(run.seconds)} s | ${fixed(run.rssSlopeSecondHalfMiBPer100)} MiB / 100 tasks |`,
    ),
    ...summary.runs.map(
      (run) => `| ${run.label}: task_cache_bytes MiB | 0 | ${run.cacheBytesAtShare.map(mib).join(' | ')} | | | | |`,
    ),
    '',
    ...summary.runs.map(
      (run) =>
        `${run.label}, each sample (tasks answered: RSS MiB / cache MiB): ${run.samples
          .filter((_, index) => index % 4 === 0 || index === run.samples.length - 1)
          .map((each) => `${each.tasksDone}: ${mib(each.rssBytes)}/${mib(each.cacheBytes)}`)
          .join(' · ')}`,
    ),
    '',
    `Goal met: ${yes(cacheBytesMet(summary))} (the bounded cache's gauge never above CACHE_MAX_BYTES, and its RSS over the second half of the walk rising at most a quarter as fast as the count-only cache's).`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

const kib = (bytes: number): string => fixed(bytes / 1024, 2);

export function redisMemorySummaryRow(summary: RedisMemorySummary): string {
  const figures = summary.rows
    .map((row) => `${row.provider} ${mib(row.bytesPerTask * 10_000)} MiB (${kib(row.bytesPerTask)} KiB a task)`)
    .join(' · ');
  return `| 10 | Redis memory per 10,000 finished tasks (shared mode, used_memory) | ${figures} | (reported; sizes maxmemory) | - |`;
}

/** Measurement 10's own section (printed alone with BENCH_ONLY=10). */
export function renderRedisMemory(summary: RedisMemorySummary): string {
  const lines = [
    `## 10. Redis memory per 10,000 finished tasks (${summary.tasks} per provider through the shared tier's write path, redis-server ${summary.rows[0]?.redisVersion ?? '?'})`,
    '',
    '| provider | task shape | tasks stored | used_memory before → after | per task | per 10,000 tasks | stored JSON per task | MEMORY USAGE per key |',
    '|---|---|---|---|---|---|---|---|',
    ...summary.rows.map(
      (row) =>
        `| ${row.provider} | ${row.shape} | ${row.taskKeys} of ${row.tasks} | ${mib(row.usedMemoryBeforeBytes)} → ${mib(row.usedMemoryAfterBytes)} MiB | ${kib(row.bytesPerTask)} KiB | ${mib(row.bytesPerTask * 10_000)} MiB | ${kib(row.meanValueBytes)} KiB | ${kib(row.meanMemoryUsageBytes)} KiB |`,
    ),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

const countErrors = (errors: Record<string, number>): string => {
  const entries = Object.entries(errors);
  return entries.length === 0 ? 'none' : entries.map(([code, count]) => `${count} ${code}`).join(', ');
};

export function scaleOutSummaryRow(summary: ScaleOutSummary): string {
  const rows = summary.scenarios
    .map((each) => `${each.label}: ${each.providerCalls} calls, busiest second ${each.busiestSecond}`)
    .join(' · ');
  const { tierCost } = summary;
  return `| 9 | scale-out, ${summary.settings.distinctIds} distinct image tasks then their repeats, MPS ${summary.settings.ratePerSecond}/s | ${rows} · a Redis hit p50 ${fixed(tierCost.redisMs.p50, 3)} ms vs a local hit ${fixed(tierCost.localMs.p50, 3)} ms | with Redis as one replica: calls = distinct ids, busiest second ≤ ${summary.settings.ratePerSecond} | ${yes(scaleOutMet(summary))} |`;
}

function scaleOutMet(summary: ScaleOutSummary): boolean {
  const shared = summary.scenarios.find((each) => each.redis);
  return (
    shared !== undefined &&
    shared.providerCalls === summary.settings.distinctIds &&
    shared.busiestSecond <= summary.settings.ratePerSecond &&
    Object.keys(shared.errors).length === 0
  );
}

/** Measurement 9's own section (printed alone with BENCH_ONLY=9). */
export function renderScaleOut(summary: ScaleOutSummary): string {
  const { settings, tierCost } = summary;
  const lines = [
    `## 9. Scale-out: 1 replica vs 3 (${settings.distinctIds} distinct uncached image tasks in lists of ${settings.idsPerRequest}, spread over the replicas, then each asked again on the next replica; MPS_RATE_LIMIT_RPS ${settings.ratePerSecond})`,
    '',
    '| setup | requests | ids asked | provider calls | busiest second of arrivals | errors | first pass | repeats |',
    '|---|---|---|---|---|---|---|---|',
    ...summary.scenarios.map(
      (each) =>
        `| ${each.label} | ${each.requests} | ${each.idsAsked} | ${each.providerCalls} | ${each.busiestSecond} | ${countErrors(each.errors)} | ${fixed(each.firstPassMs, 0)} ms | ${fixed(each.repeatPassMs, 0)} ms |`,
    ),
    '',
    `The shared tier's cost on a hit (${tierCost.samples} lookups each, alternating, in the bench process; ${tierCost.redisHits} answered by Redis, ${tierCost.localHits} by the local LRU):`,
    '',
    '| answered by | p50 ms | p95 ms | p99 ms |',
    '|---|---|---|---|',
    `| Redis (local cache off) | ${fixed(tierCost.redisMs.p50, 3)} | ${fixed(tierCost.redisMs.p95, 3)} | ${fixed(tierCost.redisMs.p99, 3)} |`,
    `| local LRU | ${fixed(tierCost.localMs.p50, 3)} | ${fixed(tierCost.localMs.p95, 3)} | ${fixed(tierCost.localMs.p99, 3)} |`,
    '',
    `Goal met: ${yes(scaleOutMet(summary))} (three replicas sharing Redis make one call per distinct id and keep to the budget by arrival, with no errors).`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** Measurement 8's own section (printed alone with BENCH_ONLY=8, and after the others in a full run). */
export function renderSubscriptions(summary: SubscriptionSummary): string {
  const lines = [
    `## 8. Live updates (WebSocket subscribers of one running task that changes at every provider call; ${summary.settings.seconds} s per row)`,
    '',
    '| running interval (CACHE_RUNNING_TTL_MS) | subscribers | events delivered | events / s | provider calls for the task | calls / task / min | subscribers with every event |',
    '|---|---|---|---|---|---|---|',
    ...summary.runs.map(
      (run) =>
        `| ${run.runningIntervalMs} ms | ${run.subscribers} | ${run.events} | ${fixed(run.eventsPerSecond)} | ${run.providerCalls} | ${fixed(run.providerCallsPerMinute)} | ${run.subscribersInStep} / ${run.subscribers} |`,
    ),
    '',
    `Goal met: ${yes(summary.runs.every((run) => run.subscribersInStep === run.subscribers) && subscriberIndependent(summary))} (provider calls for the task the same whatever the number of subscribers, within 5% or one call, what the edges of a window and the upstream latency's jitter move; every subscriber gets every event, none twice).`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function subscriberIndependent(summary: SubscriptionSummary): boolean {
  const byInterval = new Map<number, number[]>();
  for (const run of summary.runs)
    byInterval.set(run.runningIntervalMs, [...(byInterval.get(run.runningIntervalMs) ?? []), run.providerCalls]);
  return [...byInterval.values()].every(
    (calls) => Math.max(...calls) - Math.min(...calls) <= Math.max(1, 0.05 * Math.max(...calls)),
  );
}

/** The goals of measurement 11, each over every W. */
function quotaGoals(summary: QuotaSummary): {
  readonly interactive: boolean;
  readonly firstEvents: boolean;
  readonly refresh: boolean;
  readonly budget: boolean;
  readonly flood: boolean;
} {
  const { runs, settings } = summary;
  return {
    interactive: runs.every((run) => run.interactive.p95Ms < 1000 && run.flood.interactive.p95Ms < 1000),
    firstEvents: runs.every(
      (run) =>
        run.watched === 0 ||
        (run.subscriptionsWithFirstEvent === run.watched &&
          run.firstEventsSeconds <= 1.5 * run.firstEventsFloorSeconds),
    ),
    refresh: runs.every((run) => run.watched === 0 || run.refreshMaxSeconds <= 1.5 * run.refreshTargetSeconds),
    budget: runs.every((run) => run.busiestSecond <= settings.ratePerSecond),
    flood: runs.every((run) => run.flood.share < 0.25),
  };
}

function quotaSummaryRow(summary: QuotaSummary): string {
  const goals = quotaGoals(summary);
  const figures = summary.runs
    .map(
      (run) =>
        `W=${run.watched}: interactive p95 ${Math.round(run.interactive.p95Ms)} ms, refresh ${fixed(run.refreshMeanSeconds)} s, busiest second ${run.busiestSecond}, flood ${fixed(100 * run.flood.share)} %`,
    )
    .join(' · ');
  return `| 11 | the provider quota under live updates (W watched tasks, a NOT_FOUND flood) | ${figures} | p95 < 1 s; first events ≤ 1.5 × W/Q; refresh ≤ 1.5 × W / spare; ≤ budget a second; flood < 25 % | ${yes(Object.values(goals).every(Boolean))} |`;
}

export function renderQuota(summary: QuotaSummary): string {
  const { settings } = summary;
  const goals = quotaGoals(summary);
  const ms = (value: number) => `${Math.round(value)} ms`;
  const s = (value: number) => `${fixed(value)} s`;
  const lines = [
    `## 11. The provider quota under live updates (MPS ${settings.ratePerSecond}/s, running interval ${settings.runningIntervalMs} ms, ${settings.subscriptionsPerConnection} subscriptions per connection, ${settings.lookupsPerSecond} interactive lookup/s of new tasks)`,
    '',
    '| watched tasks W | interactive p50 / p95 / max | lookup errors | every first event (floor W/Q) | refresh interval mean / longest (target) | tasks read twice or more | busiest provider second |',
    '|---|---|---|---|---|---|---|',
    ...summary.runs.map(
      (run) =>
        `| ${run.watched} | ${ms(run.interactive.p50Ms)} / ${ms(run.interactive.p95Ms)} / ${ms(run.interactive.maxMs)} | ${run.interactive.errors.length} | ${
          run.watched === 0
            ? 'n/a'
            : `${s(run.firstEventsSeconds)} (${s(run.firstEventsFloorSeconds)}), ${run.subscriptionsWithFirstEvent} / ${run.watched}`
        } | ${run.watched === 0 ? 'n/a' : `${s(run.refreshMeanSeconds)} / ${s(run.refreshMaxSeconds)} (${s(run.refreshTargetSeconds)})`} | ${run.tasksRefreshed} / ${run.watched} | ${run.busiestSecond} |`,
    ),
    '',
    'Busiest provider second by phase (first reads / steady / flood), and the longest stall of the bench process, where the emulator stamps arrivals (p99 / max):',
    '',
    ...summary.runs.map(
      (run) =>
        `- W = ${run.watched}: ${run.busiestByPhase.firstReads} / ${run.busiestByPhase.steady} / ${run.busiestByPhase.flood}; bench event loop ${ms(run.benchLoopDelayMs.p99)} / ${ms(run.benchLoopDelayMs.max)}`,
    ),
    '',
    `With an anonymous client subscribing to unknown ids (four at a time, a new one as each ends with NOT_FOUND), ${settings.floodSeconds} s:`,
    '',
    '| watched tasks W | interactive p50 / p95 / max | lookup errors | flood subscriptions | flood calls / all calls | flood share of calls | of the budget |',
    '|---|---|---|---|---|---|---|',
    ...summary.runs.map(
      (run) =>
        `| ${run.watched} | ${ms(run.flood.interactive.p50Ms)} / ${ms(run.flood.interactive.p95Ms)} / ${ms(run.flood.interactive.maxMs)} | ${run.flood.interactive.errors.length} | ${run.flood.floodSubscriptions} | ${run.flood.floodCalls} / ${run.flood.allCalls} | ${fixed(100 * run.flood.share)} % | ${fixed(100 * run.flood.budgetShare)} % |`,
    ),
    '',
    `Goals: interactive p95 under 1 s at every W: ${yes(goals.interactive)}; every first event within 1.5 × W/Q: ${yes(goals.firstEvents)}; ` +
      `every task refreshed within 1.5 × its target: ${yes(goals.refresh)}; never more than the budget in a provider second: ${yes(goals.budget)}; ` +
      `the flood's share under a quarter: ${yes(goals.flood)}.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
