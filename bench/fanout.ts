/**
 * Measurement 3, fan-out. 100 distinct workflow tasks: one list query through the
 * subgraph versus a sequential loop of client calls and an unbounded Promise.all of
 * them. Then 100 distinct image tasks through one list query with the MPS budget in
 * force (MPS_RATE_LIMIT_RPS, default 20), against the floor that budget sets.
 */
import type { IceClient } from '../src/providers/alibaba/client.js';
import { assertNoErrors, postGraphQL } from './graphql.js';
import { IMAGE_LIST, WORKFLOW_LIST } from './queries.js';
import { sleep } from './processes.js';
import { median } from './stats.js';
import type { TaskFactory } from './tasks.js';

export interface FanOutSummary {
  readonly tasks: number;
  readonly rounds: number;
  /** Median wall time in ms of each way. */
  readonly subgraphListMs: number;
  readonly sequentialClientMs: number;
  readonly promiseAllClientMs: number;
  readonly rateLimited: RateLimitedFanOut;
}

export interface RateLimitedFanOut {
  readonly tasks: number;
  readonly ratePerSecond: number;
  readonly wallMs: number;
  /**
   * The least time the budget allows: calls are paced (1 s + RATE_LIMIT_MARGIN_MS) /
   * `ratePerSecond` apart (src/upstream/rate-limiter.ts, `pace`), so the last of N goes
   * N - 1 spacings after the first, plus one upstream round trip.
   */
  readonly floorMs: number;
  /** tasks / ratePerSecond seconds: the "about 5 s" of the issue, an upper reference. */
  readonly nominalMs: number;
  /** (wall - floor) / floor. */
  readonly overFloor: number;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export async function measureFanOut(
  url: string,
  ice: IceClient,
  tasks: TaskFactory,
  options: {
    readonly rounds: number;
    readonly mpsRatePerSecond: number;
    readonly mpsRateLimitMarginMs: number;
    readonly upstreamLatencyMs: number;
  },
): Promise<FanOutSummary> {
  const count = 100;
  const subgraph: number[] = [];
  const sequential: number[] = [];
  const promiseAll: number[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    const listIds = tasks.workflow(count);
    subgraph.push(
      await timed(async () => {
        const { body } = await postGraphQL(url, WORKFLOW_LIST, { ids: listIds });
        assertNoErrors(body, 'fan-out list');
      }),
    );
    const loopIds = tasks.workflow(count);
    sequential.push(
      await timed(async () => {
        for (const taskId of loopIds) await ice.getAIWorkflowTask(taskId);
      }),
    );
    const allIds = tasks.workflow(count);
    promiseAll.push(await timed(() => Promise.all(allIds.map((taskId) => ice.getAIWorkflowTask(taskId)))));
  }

  // Nothing else has called MPS in the last window, so the budget starts full.
  await sleep(1_100);
  const imageIds = tasks.image(count);
  const wallMs = await timed(async () => {
    const { body } = await postGraphQL(url, IMAGE_LIST, { ids: imageIds });
    assertNoErrors(body, 'rate-limited fan-out');
  });
  const rate = options.mpsRatePerSecond;
  const floorMs = ((count - 1) * (1000 + options.mpsRateLimitMarginMs)) / rate + options.upstreamLatencyMs;
  return {
    tasks: count,
    rounds: options.rounds,
    subgraphListMs: median(subgraph),
    sequentialClientMs: median(sequential),
    promiseAllClientMs: median(promiseAll),
    rateLimited: {
      tasks: count,
      ratePerSecond: rate,
      wallMs,
      floorMs,
      nominalMs: (count / rate) * 1000,
      overFloor: (wallMs - floorMs) / floorMs,
    },
  };
}
