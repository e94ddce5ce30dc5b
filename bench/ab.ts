/**
 * A/B of two builds of the subgraph, run back to back on one machine, for judging a
 * hot-path change where absolute timings are noise (docs/BENCHMARKS.md, sections 2 and 4).
 *
 *   node dist/bench/bench/ab.js <dirA> <dirB> cached|uncached [rounds] [seconds]
 *
 * <dirA>/<dirB> are compiled trees (a copy of dist/ under this repository, so packages resolve),
 * or `bare` for the bare @apollo/subgraph of measurement 2 (uncached mode), or as <dirA> `nodehttp`
 * for the node:http reference of measurement 4 (cached mode).
 * - cached: autocannon on the edge-cache hit path, alternating A and B, `rounds` runs each;
 * - uncached: single `workflowTask` queries for fresh ids, one at a time, alternating A and B
 *   per sample (as measurement 2 does), 100 × rounds samples each.
 */
import { resolve } from 'node:path';
import { SEED, startEmulator } from '../src/emulator/index.js';
import { assertNoErrors, destroyClientAgent, postGraphQL } from './graphql.js';
import { cachedAnswer } from './throughput.js';
import { runLoad } from './load.js';
import { pinAsLoadGenerator } from './cores.js';
import {
  answersQuery,
  freePort,
  spawnNode,
  startNodeHttpReference,
  subgraphEnv,
  waitUntil,
  type Child,
} from './processes.js';
import { IMAGE_ONE, WORKFLOW_ONE } from './queries.js';
import { mean, percentile } from './stats.js';
import { taskFactory } from './tasks.js';

const [dirArg, dirArgB, mode = 'cached', roundsText = '3', secondsText = '5'] = process.argv.slice(2);
if (dirArg === undefined || dirArgB === undefined || (mode !== 'cached' && mode !== 'uncached'))
  throw new Error('usage: ab.js <dirA> <dirB> cached|uncached [rounds] [seconds]');
const dirA: string = dirArg;
const dirB: string = dirArgB;
const rounds = Number(roundsText);
const seconds = Number(secondsText);

async function main(): Promise<void> {
  // Pinned as the bench pins measurements 2 and 4 (cores.ts).
  const plan = pinAsLoadGenerator();
  const emulator = await startEmulator();
  emulator.injectFault({}, { kind: 'latency', latencyMs: 25 });
  const tasks = taskFactory(emulator);
  const start = async (dir: string): Promise<Child> => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    if (dir === 'bare') {
      // The bare @apollo/subgraph of measurement 2 (uncached only), as one side.
      const bare = spawnNode(
        'dist/bench/bench/bare-subgraph.js',
        ['--port', String(port), '--ice-endpoint', emulator.url],
        { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' },
        url,
        [],
        plan,
      );
      await waitUntil(() => answersQuery(url, IMAGE_ONE, { id: 'constant' }), 30_000, 'the bare subgraph');
      return bare;
    }
    // AB_LOG_LEVEL (default info) applies to both sides, e.g. silent to see the request log's share.
    const child = spawnNode(
      resolve(dir, 'index.js'),
      [],
      subgraphEnv(emulator.url, port, {
        ICE_RATE_LIMIT_RPS: '1000000',
        LOG_LEVEL: process.env['AB_LOG_LEVEL'] ?? 'info',
      }),
      url,
      [],
      plan,
    );
    await waitUntil(() => answersQuery(url, IMAGE_ONE, { id: SEED.image.finishedSuccess }), 30_000, dir);
    return child;
  };
  const body = JSON.stringify({ query: IMAGE_ONE, variables: { id: tasks.image(1)[0]! } });
  const B = await start(dirB);
  // `nodehttp` as side A (cached mode): the node:http reference of goal 4, answering B's cached bytes.
  const A =
    dirA === 'nodehttp' ? await startNodeHttpReference(await cachedAnswer(B.url, body), plan) : await start(dirA);
  const sides = { A, B };
  try {
    if (mode === 'cached') {
      const rps: Record<'A' | 'B', number[]> = { A: [], B: [] };
      for (const side of ['A', 'B'] as const)
        await runLoad(
          { url: sides[side].url, body },
          { connections: 50, durationSeconds: 2, ...(plan && { cores: plan.loadGenerator }) },
        );
      for (let round = 0; round < rounds; round += 1) {
        for (const side of round % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
          rps[side].push(
            (
              await runLoad(
                { url: sides[side].url, body },
                { connections: 50, durationSeconds: seconds, ...(plan && { cores: plan.loadGenerator }) },
              )
            ).requestsPerSecond,
          );
        }
      }
      process.stdout.write(
        `cached req/s  A ${rps.A.map((x) => x.toFixed(0)).join(' ')} (mean ${mean(rps.A).toFixed(0)})  B ${rps.B.map((x) => x.toFixed(0)).join(' ')} (mean ${mean(rps.B).toFixed(0)})  B/A ${(mean(rps.B) / mean(rps.A)).toFixed(3)}\n`,
      );
    } else {
      const ms: Record<'A' | 'B', number[]> = { A: [], B: [] };
      const samples = 100 * rounds;
      for (let i = 0; i < samples + 20; i += 1) {
        for (const side of i % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
          const id = tasks.workflow(1)[0]!;
          const started = performance.now();
          const { body } = await postGraphQL(sides[side].url, WORKFLOW_ONE, { id });
          const elapsed = performance.now() - started;
          assertNoErrors(body, side);
          if (i >= 20) ms[side].push(elapsed);
        }
      }
      const line = (side: 'A' | 'B'): string =>
        `${side} p50 ${percentile(ms[side], 50).toFixed(2)} p95 ${percentile(ms[side], 95).toFixed(2)}`;
      process.stdout.write(
        `uncached ms  ${line('A')}  ${line('B')}  B/A p50 ${(percentile(ms.B, 50) / percentile(ms.A, 50)).toFixed(3)} p95 ${(percentile(ms.B, 95) / percentile(ms.A, 95)).toFixed(3)}\n`,
      );
    }
  } finally {
    await sides.A.stop();
    await sides.B.stop();
    destroyClientAgent();
    await emulator.close();
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`ab failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
