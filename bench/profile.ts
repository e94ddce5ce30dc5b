/**
 * A CPU profile of the subgraph under one kind of load, for docs/BENCHMARKS.md's account of
 * where a request's time goes. Not part of `npm run bench`: a profile's shares hold on a busy
 * machine where absolute timings do not, so this is the tool for finding work to remove.
 *
 *   node dist/bench/bench/profile.js cached|uncached [seconds] [connections]
 *
 * - `cached`: the same finished image task over and over (measurement 4's load): edge-cache hits.
 * - `uncached`: one `workflowTask` query per request, each for a task never asked for before, so
 *   every request makes one signed provider call (measurement 2's path, with concurrency so the
 *   profile gets enough samples).
 *
 * The subgraph runs as the bench runs it (`node dist/index.js`, LOG_LEVEL=info, NODE_ENV=production)
 * with `--cpu-prof`; the profile is written when it exits, to bench/profiles/, and summarised
 * here: self time by function and by area (src, each package, Node internals, GC, idle).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SEED, startEmulator } from '../src/emulator/index.js';
import { destroyClientAgent } from './graphql.js';
import { pinAsLoadGenerator } from './cores.js';
import { runLoad } from './load.js';
import { ROOT, answersQuery, freePort, spawnNode, subgraphEnv, waitUntil } from './processes.js';
import { IMAGE_ONE, WORKFLOW_ONE } from './queries.js';
import { taskFactory } from './tasks.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const mode = process.argv[2];
if (mode !== 'cached' && mode !== 'uncached')
  throw new Error('usage: profile.js cached|uncached [seconds] [connections]');
const seconds = Number(process.argv[3] ?? 15);
const connections = Number(process.argv[4] ?? (mode === 'cached' ? 50 : 10));

/** Where a frame's code lives: a package, this project's src, Node itself, or V8's pseudo-frames. */
function areaOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/dist\/(.+)$/.exec(url);
  return own ? `src/${own[1]!.split('/')[0]}` : url;
}

function summarise(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  let busy = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += us;
    if (functionName === '(idle)') continue;
    busy += us;
    const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const share = (us: number): string => `${((100 * us) / busy).toFixed(1)}%`;
  const top = (map: Map<string, number>, n: number): string[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => `  ${share(us).padStart(6)}  ${key}`);
  return [
    `busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s profiled (${((100 * busy) / total).toFixed(0)}%); shares below are of busy time`,
    'self time by area:',
    ...top(byArea, 20),
    'self time by function:',
    ...top(byFunction, 40),
  ].join('\n');
}

async function main(): Promise<void> {
  // Pinned as the bench pins measurements 2 and 4 (cores.ts).
  const plan = pinAsLoadGenerator();
  const emulator = await startEmulator();
  emulator.injectFault({}, { kind: 'latency', latencyMs: 25 });
  const tasks = taskFactory(emulator);
  const dir = resolve(ROOT, 'bench/profiles', `${mode}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const env = subgraphEnv(emulator.url, port, {
    ICE_RATE_LIMIT_RPS: '1000000',
    MAX_TASK_IDS: '200',
    LOG_LEVEL: process.env['PROFILE_LOG_LEVEL'] ?? 'info',
  });
  const child = spawnNode('dist/index.js', [], env, url, ['--cpu-prof', `--cpu-prof-dir=${dir}`], plan);
  try {
    await waitUntil(() => answersQuery(url, IMAGE_ONE, { id: SEED.image.finishedSuccess }), 30_000, 'the subgraph');
    const cachedId = tasks.image(1)[0]!;
    const body =
      mode === 'cached'
        ? JSON.stringify({ query: IMAGE_ONE, variables: { id: cachedId } })
        : (): string => JSON.stringify({ query: WORKFLOW_ONE, variables: { id: tasks.workflow(1)[0]! } });
    // A short unmeasured warm-up would still be in the profile; it is a small share of a 15 s run.
    const result = await runLoad(
      { url, body },
      { connections, durationSeconds: seconds, ...(plan && { cores: plan.loadGenerator }) },
    );
    process.stderr.write(
      `[profile] ${mode}: ${result.requests} requests, ${result.failed} failed, ${result.requestsPerSecond.toFixed(0)} req/s (not a figure: the profiler slows the process)\n`,
    );
  } finally {
    await child.stop();
    destroyClientAgent();
    await emulator.close();
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written in ${dir}`);
  process.stdout.write(
    `${resolve(dir, file)}\n${summarise(JSON.parse(readFileSync(resolve(dir, file), 'utf8')) as CpuProfile)}\n`,
  );
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(
      `profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
