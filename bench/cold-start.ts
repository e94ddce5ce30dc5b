/**
 * Measurement 6, cold start: from spawning `node dist/index.js` to its first successful
 * query (one upstream call included), polled every 5 ms. Each start is a new process on
 * a new port; the figure includes Node's own start-up, module loading and Apollo's
 * schema build.
 */
import { IMAGE_ONE } from './queries.js';
import { answersQuery, freePort, spawnNode, subgraphEnv, waitUntil } from './processes.js';
import { median } from './stats.js';

export interface ColdStartSummary {
  readonly starts: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samplesMs: number[];
}

export async function measureColdStart(emulatorUrl: string, taskId: string, starts: number): Promise<ColdStartSummary> {
  const samplesMs: number[] = [];
  for (let i = 0; i < starts; i += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const started = performance.now();
    const child = spawnNode('dist/index.js', [], subgraphEnv(emulatorUrl, port), url);
    try {
      await waitUntil(() => answersQuery(url, IMAGE_ONE, { id: taskId }), 30_000, `cold start #${i + 1}`);
      samplesMs.push(performance.now() - started);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${child.stderr()}`, { cause: error });
    } finally {
      await child.stop();
    }
  }
  return {
    starts,
    medianMs: median(samplesMs),
    minMs: Math.min(...samplesMs),
    maxMs: Math.max(...samplesMs),
    samplesMs,
  };
}
