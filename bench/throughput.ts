/**
 * Measurement 4, cached throughput: requests/second for a query of a finished task the
 * subgraph serves from its cache, versus a plain `node:http` server in its own process
 * answering the same bytes (node-http-reference.ts: the most one Node process answers here),
 * under the same autocannon settings, each run by a load generator in a fresh process of its
 * own, on the load generator's core, with every target on the server's core (cores.ts). Runs
 * alternate between the targets so machine drift hits all; every answer must be exactly the expected body, and each target gets an
 * unmeasured warm-up run first so the JIT has compiled its hot path.
 *
 * Three more targets explain the ratio rather than enter it: the bare @apollo/subgraph
 * answering a constant (the reference of earlier runs), the same on Express 5 like
 * src/server.ts (the HTTP framework's share) and the subgraph with LOG_LEVEL=silent (the
 * request log's share).
 */
import { postRaw } from './graphql.js';
import { runLoad, type LoadResult, type LoadSettings } from './load.js';
import { IMAGE_ONE } from './queries.js';
import { untilQuiet } from './quiet.js';
import { mean, median } from './stats.js';

export type ThroughputTargetName = 'subgraph' | 'nodeHttp' | 'bare' | 'bareExpress' | 'subgraphSilent';

export interface ThroughputSummary {
  readonly settings: LoadSettings & { readonly rounds: number; readonly warmupSeconds: number };
  /** Every measured run of every target, in the order they ran. */
  readonly runs: Array<LoadResult & { readonly target: ThroughputTargetName }>;
  /** Mean req/s per target. */
  readonly rps: Record<ThroughputTargetName, number>;
  /**
   * subgraph / nodeHttp: the figure the goal is about. The median over rounds of each round's
   * own ratio: the two runs of a round are seconds apart, while this machine's speed drifts by
   * up to 2x over tens of seconds (docs/BENCHMARKS.md, measurement 4), so a ratio of means over
   * the whole phase would mix different machines.
   */
  readonly ratio: number;
  /** subgraph / nodeHttp of each round, in order. */
  readonly roundRatios: number[];
  /** subgraph / bare @apollo/subgraph: the figure of earlier runs, for information. */
  readonly ratioToBare: number;
}

export async function measureThroughput(
  urls: Record<ThroughputTargetName, string>,
  taskId: string,
  settings: LoadSettings & { readonly rounds: number; readonly warmupSeconds: number },
): Promise<ThroughputSummary> {
  const body = JSON.stringify({ query: IMAGE_ONE, variables: { id: taskId } });
  const names = Object.keys(urls) as ThroughputTargetName[];
  const expected = {} as Record<ThroughputTargetName, string>;
  for (const name of names) {
    // The first query fills the cache; its exact answer is what every later one must repeat.
    expected[name] = await expectedBody(urls[name], body);
    await runLoad(
      { url: urls[name], body, expectBody: expected[name] },
      { ...settings, durationSeconds: settings.warmupSeconds },
    );
  }
  const runs: ThroughputSummary['runs'] = [];
  for (let round = 0; round < settings.rounds; round += 1) {
    // The subgraph and the reference run next to each other, in turns first: their pair is the round's ratio.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      // What the previous target's run left behind (its GC, its log reader) is not this target's load.
      await untilQuiet({ maxWaitMs: 5_000 });
      runs.push({ target: name, ...(await runLoad({ url: urls[name], body, expectBody: expected[name] }, settings)) });
    }
  }
  const rps = Object.fromEntries(
    names.map((name) => [name, mean(runs.filter((run) => run.target === name).map((run) => run.requestsPerSecond))]),
  ) as Record<ThroughputTargetName, number>;
  const roundRatios = Array.from({ length: settings.rounds }, (_, round) => {
    const of = (name: ThroughputTargetName): number =>
      runs.filter((run) => run.target === name)[round]!.requestsPerSecond;
    return of('subgraph') / of('nodeHttp');
  });
  return { settings, runs, rps, ratio: median(roundRatios), roundRatios, ratioToBare: rps.subgraph / rps.bare };
}

async function expectedBody(url: string, body: string): Promise<string> {
  return (await cachedAnswer(url, body)).text;
}

/** The throughput query's answer, with the headers a client needs of it (what the node:http reference repeats). */
export async function cachedAnswer(
  url: string,
  body: string,
): Promise<{ readonly text: string; readonly headers: Record<string, string> }> {
  const first = await postRaw(url, body);
  const parsed = JSON.parse(first.text) as { data?: unknown; errors?: unknown };
  if (first.status !== 200 || parsed.errors !== undefined || !parsed.data)
    throw new Error(`${url} did not answer the throughput query: ${first.text}`);
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'cache-control']) {
    const value = first.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return { text: first.text, headers };
}
