/**
 * `npm run bench`: the figures of docs/BENCHMARKS.md, measured side by side in one
 * run against the provider emulator with a fixed injected upstream latency. Prints a
 * markdown table and writes bench/results.json.
 *
 *   BENCH_QUICK=1                 short runs (a smoke test of the bench, not figures to publish);
 *                                 measurements 5 and 7 are not measured (too short to mean anything)
 *   BENCH_ONLY=7                  only measurement 7 (task cache under large tasks); prints its
 *                                 section and writes bench/results-7.json, leaving results.json alone
 *   BENCH_ONLY=8                  only measurement 8 (live updates: subscribers vs provider calls);
 *                                 writes bench/results-8.json
 *   BENCH_SUBSCRIPTION_SECONDS=30 length of each row of measurement 8
 *   BENCH_ONLY=9                  only measurement 9 (scale-out: 1 replica vs 3 sharing a redis-server
 *                                 the bench starts, and a Redis answer's cost); bench/results-9.json
 *                                 (8 is the live-updates figure of the subscriptions work)
 *   BENCH_ONLY=10                 only measurement 10 (Redis memory per 10,000 finished tasks); bench/results-10.json
 *   BENCH_ONLY=11                 only measurement 11 (the provider quota with 0, 100 and 1,000 watched tasks,
 *                                 interactive lookups and a NOT_FOUND flood); bench/results-11.json
 *   BENCH_UPSTREAM_LATENCY_MS=25  latency the emulator adds to every provider call
 *   BENCH_MEMORY_SECONDS=60       length of the sustained load of measurement 5
 *   BENCH_THROUGHPUT_SECONDS=3    length of each measured autocannon run of measurement 4 (8 rounds)
 *   BENCH_CONNECTIONS=50          autocannon connections (4 and 5)
 *
 * The subgraph runs as it ships, `node dist/index.js` in a child process configured by
 * environment variables; the emulator, the load generator and the direct provider
 * client run in this process. A plain node:http server answering the cached answer's bytes
 * (node-http-reference.ts) runs for the whole run: it is goal 4's reference, and its
 * calibration rounds (calibration.ts) tell a quiet machine from a busy one.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { defaultOf } from '../src/config/index.js';
import { SEED, startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { measureCacheBytes, type CacheBytesSummary } from './cache-bytes.js';
import { calibrator } from './calibration.js';
import { describePlan, pinAsLoadGenerator, pinProcess, type CorePlan } from './cores.js';
import { measureColdStart } from './cold-start.js';
import { measureEconomy } from './economy.js';
import { emulatorIceClient } from './emulator-clients.js';
import { measureFanOut } from './fanout.js';
import { destroyClientAgent } from './graphql.js';
import { measureLatency } from './latency.js';
import { measureMemory, type MemorySummary } from './memory.js';
import { IMAGE_ONE } from './queries.js';
import {
  ROOT,
  answersQuery,
  freePort,
  spawnNode,
  startNodeHttpReference,
  subgraphEnv,
  waitUntil,
  type Child,
} from './processes.js';
import { measureRedisMemory } from './redis-memory.js';
import { measureScaleOut, type ScaleOutSettings } from './scale-out.js';
import { measureQuota, type QuotaSettings } from './quota.js';
import {
  renderCacheBytes,
  renderQuota,
  renderRedisMemory,
  renderReport,
  renderScaleOut,
  renderSubscriptions,
} from './report.js';
import { measureSubscriptions } from './subscriptions.js';
import { taskFactory } from './tasks.js';
import { cachedAnswer, measureThroughput } from './throughput.js';

function intSetting(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number (got ${JSON.stringify(text)})`);
  return Number(text);
}

const quick = process.env['BENCH_QUICK'] === '1';
const only = process.env['BENCH_ONLY'] ?? '';
if (!['', '7', '8', '9', '10', '11'].includes(only))
  throw new Error(`BENCH_ONLY can only be 7, 8, 9, 10 or 11 (got ${JSON.stringify(only)})`);
const settings = {
  quick,
  upstreamLatencyMs: intSetting('BENCH_UPSTREAM_LATENCY_MS', 25),
  latencySamples: quick ? 40 : 300,
  latencyWarmup: quick ? 10 : 30,
  fanOutRounds: quick ? 1 : 3,
  /** Rounds of one short run per target: each round's subgraph / node:http pair is one ratio (throughput.ts). */
  throughputSeconds: intSetting('BENCH_THROUGHPUT_SECONDS', quick ? 2 : 3),
  throughputRounds: quick ? 2 : 8,
  throughputWarmupSeconds: quick ? 1 : 5,
  /**
   * Calibration rounds against the node:http reference (start, after 2, after 4, after 6, end):
   * each the median of three runs of `calibrationSeconds`; their spread above `calibrationMaxSpread`
   * makes the run's ratios not comparable.
   */
  calibrationSeconds: quick ? 1 : 3,
  calibrationMaxSpread: 0.1,
  connections: intSetting('BENCH_CONNECTIONS', 50),
  memorySeconds: intSetting('BENCH_MEMORY_SECONDS', quick ? 10 : 60),
  /**
   * Memory warm-up ends once the cache is full and RSS moved at most 2% over 20 s (at most
   * 180 s). Under this load V8 grows its old generation in steps about 10 s apart, so a
   * shorter window can end warm-up on the flat between two steps (docs/BENCHMARKS.md).
   */
  memorySettleSeconds: quick ? 3 : 20,
  memorySettleShare: 0.02,
  memoryMaxWarmupSeconds: quick ? 15 : 180,
  coldStarts: quick ? 2 : 5,
  /**
   * Measurement 7: distinct 200-node workflow tasks, about 230 KB each by the cache's estimate,
   * so 1,200 of them are about 260 MiB of cache, sixteen times the 16 MiB bound; the bounded
   * cache is full after about 70, which leaves V8 time to settle around it.
   */
  cacheBytesTasks: quick ? 150 : 1_200,
  cacheBytesNodesPerTask: 200,
  cacheBytesConnections: 4,
  cacheBytesMaxBytes: 16 * 1024 * 1024,
  /** Measurement 8: the default running interval, and the lowest one the subgraph allows. */
  subscriptions: {
    seconds: intSetting('BENCH_SUBSCRIPTION_SECONDS', quick ? 6 : 30),
    counts: [1, 10, 100],
    intervals: [2_000, 250],
  },
  /** Measurement 9: distinct uncached tasks spread over the replicas (then repeated), and hits timed per tier. */
  scaleOut: {
    distinctIds: quick ? 60 : 300,
    idsPerRequest: 20,
    ratePerSecond: 20,
    tierCostSamples: quick ? 300 : 3_000,
  } satisfies ScaleOutSettings,
  /** Measurement 11: the W, default limits, one interactive lookup a second. */
  quota: {
    watched: quick ? [0, 100] : [0, 100, 1_000],
    ratePerSecond: defaultOf('MPS_RATE_LIMIT_RPS'),
    runningIntervalMs: defaultOf('CACHE_RUNNING_TTL_MS'),
    lookupsPerSecond: 1,
    steadySeconds: quick ? 10 : 30,
    floodSeconds: quick ? 10 : 30,
    subscriptionsPerConnection: defaultOf('SUBSCRIPTION_MAX_PER_CONNECTION'),
  } satisfies QuotaSettings,
  /** Measurement 10: finished tasks per provider stored in a fresh redis-server. */
  redisMemoryTasks: quick ? 1_000 : 10_000,
  /** The defaults of the configuration table the figures are about. */
  mpsRatePerSecond: defaultOf('MPS_RATE_LIMIT_RPS'),
  rateLimitMarginMs: defaultOf('RATE_LIMIT_MARGIN_MS'),
  cacheMaxEntries: defaultOf('CACHE_MAX_ENTRIES'),
};

/**
 * The subgraph under test. ICE's budget is lifted so that measurements 1-3 show the
 * subgraph's own work rather than the budget's queue; MPS keeps its default 20/s, which
 * measurement 3 is about. MAX_TASK_IDS is raised so that 100 distinct ids each sent
 * twice fit in one list.
 */
const SUBGRAPH_ENV = { ICE_RATE_LIMIT_RPS: '1000000', MAX_TASK_IDS: '200', LOG_LEVEL: 'info' };

async function startSubgraph(
  emulatorUrl: string,
  extra: Record<string, string> = {},
  plan: CorePlan | null = null,
): Promise<Child> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = spawnNode(
    'dist/index.js',
    [],
    subgraphEnv(emulatorUrl, port, { ...SUBGRAPH_ENV, ...extra }),
    url,
    [],
    plan,
  );
  await waitUntil(() => answersQuery(url, IMAGE_ONE, { id: SEED.image.finishedSuccess }), 30_000, 'the subgraph').catch(
    (error: unknown) => {
      throw new Error(`${String(error)}\n${child.stderr()}`);
    },
  );
  return child;
}

async function startBare(plan: CorePlan | null, http: 'standalone' | 'express', iceEndpoint?: string): Promise<Child> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const args = [
    '--port',
    String(port),
    '--http',
    http,
    ...(iceEndpoint === undefined ? [] : ['--ice-endpoint', iceEndpoint]),
  ];
  const child = spawnNode(
    'dist/bench/bench/bare-subgraph.js',
    args,
    { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' },
    url,
    [],
    plan,
  );
  await waitUntil(() => answersQuery(url, IMAGE_ONE, { id: 'constant' }), 30_000, `the bare subgraph (${http})`);
  return child;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function measureLargeTasks(emulator: Awaited<ReturnType<typeof startEmulator>>): Promise<CacheBytesSummary> {
  return measureCacheBytes(
    (cacheMaxBytes) => startSubgraph(emulator.url, { CACHE_MAX_BYTES: String(cacheMaxBytes) }),
    emulator,
    {
      tasks: settings.cacheBytesTasks,
      nodesPerTask: settings.cacheBytesNodesPerTask,
      connections: settings.cacheBytesConnections,
      boundedMaxBytes: settings.cacheBytesMaxBytes,
    },
  );
}

async function onlyCacheBytes(): Promise<void> {
  const emulator = await startEmulator();
  emulator.injectFault({}, { kind: 'latency', latencyMs: settings.upstreamLatencyMs });
  try {
    log('7/10 task cache under large tasks (two fresh subgraph processes)');
    const cacheBytes = await measureLargeTasks(emulator);
    writeFileSync(
      resolve(ROOT, 'bench/results-7.json'),
      `${JSON.stringify({ measuredAt: new Date().toISOString(), settings, cacheBytes }, null, 2)}\n`,
    );
    process.stdout.write(renderCacheBytes(cacheBytes));
    log('wrote bench/results-7.json');
  } finally {
    destroyClientAgent();
    await emulator.close();
  }
}

/** One measurement alone: its section on stdout, its figures in bench/results-<n>.json. */
async function onlyOne<S>(
  n: string,
  title: string,
  measure: (emulator: RunningEmulator) => Promise<S>,
  render: (summary: S) => string,
): Promise<void> {
  const emulator = await startEmulator();
  try {
    log(title);
    const summary = await measure(emulator);
    writeFileSync(
      resolve(ROOT, `bench/results-${n}.json`),
      `${JSON.stringify({ measuredAt: new Date().toISOString(), settings, summary }, null, 2)}\n`,
    );
    process.stdout.write(render(summary));
    log(`wrote bench/results-${n}.json`);
  } finally {
    destroyClientAgent();
    await emulator.close();
  }
}

function measureScaleOutWith(emulator: RunningEmulator): ReturnType<typeof measureScaleOut> {
  emulator.injectFault({}, { kind: 'latency', latencyMs: settings.upstreamLatencyMs });
  return measureScaleOut(
    emulator,
    (extra) => startSubgraph(emulator.url, extra),
    taskFactory(emulator),
    settings.scaleOut,
  );
}

function measureSubscriptionsWith(emulator: RunningEmulator): ReturnType<typeof measureSubscriptions> {
  emulator.injectFault({}, { kind: 'latency', latencyMs: settings.upstreamLatencyMs });
  return measureSubscriptions((env) => startSubgraph(emulator.url, env), emulator, settings.subscriptions);
}

function measureQuotaWith(emulator: RunningEmulator): ReturnType<typeof measureQuota> {
  emulator.injectFault({}, { kind: 'latency', latencyMs: settings.upstreamLatencyMs });
  return measureQuota((env) => startSubgraph(emulator.url, env), emulator, settings.quota);
}

async function main(): Promise<void> {
  if (only === '7') return onlyCacheBytes();
  if (only === '8')
    return onlyOne(
      '8',
      '8/10 live updates (a fresh subgraph process per running interval)',
      measureSubscriptionsWith,
      renderSubscriptions,
    );
  if (only === '9')
    return onlyOne(
      '9',
      '9/10 scale-out: 1 replica, 3 without Redis, 3 sharing a redis-server (fresh subgraph processes)',
      measureScaleOutWith,
      renderScaleOut,
    );
  if (only === '11')
    return onlyOne(
      '11',
      '11/11 the provider quota under live updates (a fresh subgraph process per W)',
      measureQuotaWith,
      renderQuota,
    );
  if (only === '10')
    return onlyOne(
      '10',
      '10/10 Redis memory per 10,000 finished tasks',
      (emulator) => measureRedisMemory(emulator, settings.redisMemoryTasks),
      renderRedisMemory,
    );
  const emulator = await startEmulator();
  emulator.injectFault({}, { kind: 'latency', latencyMs: settings.upstreamLatencyMs });
  const tasks = taskFactory(emulator);
  const ice = emulatorIceClient(emulator.url);
  const children: Child[] = [];
  // Measurements 1-4 and the calibration rounds run pinned (cores.ts): the subgraph and its
  // references on the server's core; this process (the client of 1-3, the emulator) and every
  // load generator on the load generator's. The later measurements run as before, unpinned.
  const plan = pinAsLoadGenerator();
  log(`cores: ${describePlan(plan)}`);
  try {
    log('starting the subgraph (node dist/index.js)');
    const subgraph = await startSubgraph(emulator.url, {}, plan);
    children.push(subgraph);
    // The throughput query's task, asked for once so its answer is cached: the node:http reference repeats those bytes.
    const throughputTaskId = tasks.image(1)[0]!;
    const throughputBody = JSON.stringify({ query: IMAGE_ONE, variables: { id: throughputTaskId } });
    const answer = await cachedAnswer(subgraph.url, throughputBody);
    log("starting the node:http reference (the cached answer's bytes)");
    const nodeHttp = await startNodeHttpReference(answer, plan);
    children.push(nodeHttp);
    const calibration = calibrator(
      { url: nodeHttp.url, body: throughputBody, expectBody: answer.text },
      {
        connections: settings.connections,
        durationSeconds: settings.calibrationSeconds,
        maxSpread: settings.calibrationMaxSpread,
        ...(plan && { cores: plan.loadGenerator }),
      },
    );
    log('calibration round (start)');
    await calibration.round('start');

    log('1/10 upstream calls per operation');
    const economy = await measureEconomy(subgraph.url, emulator, tasks);
    log(
      '2/10 uncached latency (alternating with a bare @apollo/subgraph making the same client call, and the direct call)',
    );
    const bareCaller = await startBare(plan, 'standalone', emulator.url);
    children.push(bareCaller);
    const latency = await measureLatency(
      { subgraph: subgraph.url, bare: bareCaller.url },
      ice,
      tasks,
      settings.latencySamples,
      settings.latencyWarmup,
    );
    await bareCaller.stop();
    log('calibration round (after 2)');
    await calibration.round('after 2');
    log('3/10 fan-out');
    const fanOut = await measureFanOut(subgraph.url, ice, tasks, {
      rounds: settings.fanOutRounds,
      mpsRatePerSecond: settings.mpsRatePerSecond,
      mpsRateLimitMarginMs: settings.rateLimitMarginMs,
      upstreamLatencyMs: settings.upstreamLatencyMs,
    });
    log(
      '4/10 cached throughput (alternating with the node:http reference, the bare @apollo/subgraph servers and a silent-log subgraph)',
    );
    const bare = await startBare(plan, 'standalone');
    const bareExpress = await startBare(plan, 'express');
    const subgraphSilent = await startSubgraph(emulator.url, { LOG_LEVEL: 'silent' }, plan);
    children.push(bare, bareExpress, subgraphSilent);
    const throughput = await measureThroughput(
      {
        subgraph: subgraph.url,
        nodeHttp: nodeHttp.url,
        bare: bare.url,
        bareExpress: bareExpress.url,
        subgraphSilent: subgraphSilent.url,
      },
      throughputTaskId,
      {
        connections: settings.connections,
        durationSeconds: settings.throughputSeconds,
        rounds: settings.throughputRounds,
        warmupSeconds: settings.throughputWarmupSeconds,
        ...(plan && { cores: plan.loadGenerator }),
      },
    );
    for (const child of [bare, bareExpress, subgraphSilent, subgraph]) await child.stop();
    log('calibration round (after 4)');
    await calibration.round('after 4');
    if (plan) pinProcess(process.pid, plan.all);

    // Too short to fill the cache and let RSS settle (5), or for V8 to settle around the byte bound (7):
    // a quick run says "not measured" for them rather than print figures that cannot meet a goal.
    let memory: MemorySummary | null = null;
    if (!settings.quick) {
      log(
        `5/10 memory: warm-up until RSS settles, then ${settings.memorySeconds} s of sustained load (a fresh subgraph process)`,
      );
      const memoryChild = await startSubgraph(emulator.url, { CACHE_MAX_ENTRIES: String(settings.cacheMaxEntries) });
      children.push(memoryChild);
      memory = await measureMemory(memoryChild, tasks, {
        connections: settings.connections,
        durationSeconds: settings.memorySeconds,
        cacheMaxEntries: settings.cacheMaxEntries,
        settleSeconds: settings.memorySettleSeconds,
        settleShare: settings.memorySettleShare,
        maxWarmupSeconds: settings.memoryMaxWarmupSeconds,
      });
      await memoryChild.stop();
    } else {
      log('5/10 memory: not measured (BENCH_QUICK)');
    }

    log('6/10 cold start');
    const coldStart = await measureColdStart(emulator.url, SEED.image.finishedSuccess, settings.coldStarts);
    log('calibration round (after 6)');
    await calibration.round('after 6');

    let cacheBytes: CacheBytesSummary | null = null;
    if (!settings.quick) {
      log('7/10 task cache under large tasks (two fresh subgraph processes)');
      cacheBytes = await measureLargeTasks(emulator);
    } else {
      log(
        '7/10 task cache under large tasks: not measured (BENCH_QUICK; BENCH_QUICK=1 BENCH_ONLY=7 runs a short version)',
      );
    }
    log('calibration round (end)');
    await calibration.round('end');

    log('8/10 live updates (a fresh subgraph process per running interval)');
    const subscriptions = await measureSubscriptions(
      (env) => startSubgraph(emulator.url, env),
      emulator,
      settings.subscriptions,
    );

    log('9/10 scale-out: 1 replica, 3 without Redis, 3 sharing a redis-server (fresh subgraph processes)');
    const scaleOut = await measureScaleOut(
      emulator,
      (extra) => startSubgraph(emulator.url, extra),
      tasks,
      settings.scaleOut,
    );
    log('10/10 Redis memory per 10,000 finished tasks');
    const redisMemory = await measureRedisMemory(emulator, settings.redisMemoryTasks);
    log('11/11 the provider quota under live updates (a fresh subgraph process per W)');
    const quota = await measureQuota((env) => startSubgraph(emulator.url, env), emulator, settings.quota);

    const results = {
      measuredAt: new Date().toISOString(),
      machine: {
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryBytes: os.totalmem(),
      },
      settings,
      cores: plan,
      subgraphEnv: SUBGRAPH_ENV,
      calibration: calibration.summary(),
      economy,
      latency,
      fanOut,
      throughput,
      memory,
      coldStart,
      cacheBytes,
      subscriptions,
      scaleOut,
      redisMemory,
      quota,
    };
    writeFileSync(resolve(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(renderReport(results));
    log('wrote bench/results.json');
  } finally {
    for (const child of children) await child.stop();
    destroyClientAgent();
    await emulator.close();
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
