/**
 * Measurement 2, added latency: one task through the subgraph (HTTP + GraphQL + loaders
 * + upstream stack + one signed provider call) versus the same signed call made directly
 * with the provider client. Samples alternate between the two paths so drift on a noisy
 * machine hits both alike, and every sample asks for a fresh id so no cache answers.
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

export async function measureLatency(url: string, ice: IceClient, tasks: TaskFactory, samples: number, warmup: number): Promise<LatencySummary> {
  const direct: number[] = [];
  const subgraph: number[] = [];
  const cached: number[] = [];
  const ids = tasks.workflow(2 * (samples + warmup));
  const cachedId = tasks.workflow(1)[0]!;
  for (let i = 0; i < samples + warmup; i += 1) {
    const directId = ids[2 * i]!;
    const subgraphId = ids[2 * i + 1]!;
    // Alternate which path goes first, so neither always runs on a warmer socket.
    const order = i % 2 === 0 ? (['direct', 'subgraph', 'cached'] as const) : (['cached', 'subgraph', 'direct'] as const);
    for (const path of order) {
      const started = performance.now();
      if (path === 'direct') {
        await ice.getAIWorkflowTask(directId);
      } else {
        const { body } = await postGraphQL(url, WORKFLOW_ONE, { id: path === 'cached' ? cachedId : subgraphId });
        assertNoErrors(body, 'latency sample');
      }
      const elapsed = performance.now() - started;
      if (i >= warmup) (path === 'direct' ? direct : path === 'subgraph' ? subgraph : cached).push(elapsed);
    }
  }
  const summarize = (values: readonly number[]): Percentiles => ({
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
  });
  const d = summarize(direct);
  const s = summarize(subgraph);
  return {
    samples,
    direct: d,
    subgraph: s,
    subgraphCached: summarize(cached),
    ratio: { p50: s.p50 / d.p50, p95: s.p95 / d.p95, p99: s.p99 / d.p99 },
    overheadMs: { p50: s.p50 - d.p50, p95: s.p95 - d.p95, p99: s.p99 - d.p99 },
  };
}
