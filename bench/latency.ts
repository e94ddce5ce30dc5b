/**
 * Measurement 2, uncached latency: one task through the subgraph (HTTP + GraphQL + loaders
 * + upstream stack + one signed provider call) versus the same query through a bare
 * @apollo/subgraph server (bare-subgraph.ts, standalone) whose resolver makes the same signed
 * client call and nothing else: the least any Apollo subgraph adds to a provider call on this
 * machine (an extra loopback hop and Apollo's pipeline). The goal is about subgraph / bare.
 * Samples alternate between the paths so drift on a noisy machine hits all alike, and every
 * sample asks for a fresh id so no cache answers.
 *
 * Two more paths are information: the same signed call made directly with the provider
 * client (the old reference; no Apollo subgraph reaches 1.1× of it here), and the query for a
 * task the subgraph has cached.
 */
import type { IceClient } from '../src/providers/alibaba/client.js';
import { assertNoErrors, postGraphQL } from './graphql.js';
import { WORKFLOW_ONE } from './queries.js';
import { percentile } from './stats.js';
import type { TaskFactory } from './tasks.js';

export interface LatencySummary {
  readonly samples: number;
  readonly direct: Percentiles;
  readonly subgraph: Percentiles;
  /**
   * The same query for a task the subgraph has cached: its own cost with no provider
   * call, i.e. the loopback hop, Express, Apollo and the request log. The overhead
   * above should be about this.
   */
  readonly subgraphCached: Percentiles;
  /** The bare @apollo/subgraph server whose resolver calls the client directly. */
  readonly bare: Percentiles;
  /** bare / direct, per percentile. */
  readonly bareRatio: Percentiles;
  /** subgraph / bare, per percentile: the figure goal 2 is about. */
  readonly vsBare: Percentiles;
  /** subgraph / direct, per percentile. */
  readonly ratio: Percentiles;
  /** subgraph - direct in ms, per percentile. */
  readonly overheadMs: Percentiles;
}

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export async function measureLatency(
  urls: { readonly subgraph: string; readonly bare: string },
  ice: IceClient,
  tasks: TaskFactory,
  samples: number,
  warmup: number,
): Promise<LatencySummary> {
  const direct: number[] = [];
  const subgraph: number[] = [];
  const cached: number[] = [];
  const bare: number[] = [];
  const ids = tasks.workflow(3 * (samples + warmup));
  const cachedId = tasks.workflow(1)[0]!;
  for (let i = 0; i < samples + warmup; i += 1) {
    const directId = ids[3 * i]!;
    const subgraphId = ids[3 * i + 1]!;
    const bareId = ids[3 * i + 2]!;
    // Alternate which path goes first, so none always runs on a warmer socket.
    const order =
      i % 2 === 0
        ? (['direct', 'subgraph', 'bare', 'cached'] as const)
        : (['cached', 'bare', 'subgraph', 'direct'] as const);
    for (const path of order) {
      const started = performance.now();
      if (path === 'direct') {
        await ice.getAIWorkflowTask(directId);
      } else {
        const [url, id] =
          path === 'bare' ? [urls.bare, bareId] : [urls.subgraph, path === 'cached' ? cachedId : subgraphId];
        const { body } = await postGraphQL(url, WORKFLOW_ONE, { id });
        assertNoErrors(body, 'latency sample');
      }
      const elapsed = performance.now() - started;
      if (i >= warmup) ({ direct, subgraph, cached, bare })[path].push(elapsed);
    }
  }
  const summarize = (values: readonly number[]): Percentiles => ({
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
  });
  const d = summarize(direct);
  const s = summarize(subgraph);
  const b = summarize(bare);
  return {
    samples,
    direct: d,
    subgraph: s,
    subgraphCached: summarize(cached),
    bare: b,
    bareRatio: { p50: b.p50 / d.p50, p95: b.p95 / d.p95, p99: b.p99 / d.p99 },
    vsBare: { p50: s.p50 / b.p50, p95: s.p95 / b.p95, p99: s.p99 / b.p99 },
    ratio: { p50: s.p50 / d.p50, p95: s.p95 / d.p95, p99: s.p99 / d.p99 },
    overheadMs: { p50: s.p50 - d.p50, p95: s.p95 - d.p95, p99: s.p99 - d.p99 },
  };
}
