/**
 * The single-process budget, checked where the provider counts it: one real subgraph process
 * (`node dist/index.js`) with the default 20 calls/s, one list of 80 uncached ids, and the
 * arrivals in the emulator's call log. The limiter's grants are exact; what this guards is the
 * step from grant to arrival (signing, sockets, a busy event loop), which the window margin
 * (RATE_LIMIT_MARGIN_MS) has to absorb.
 */
import fetch from 'node-fetch';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { busiestWindow } from '../../support/arrivals.js';
import { buildDist, emulatorEnv, readyUrl, spawnSubgraph, type SubgraphProcess } from '../support/process.js';

const LIST = 'query List($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }';
const DEFAULT_RPS = 20;

interface Answer {
  data?: { imageTasks?: Array<{ taskId: string } | null> } | null;
  errors?: Array<{ extensions?: { code?: string } }>;
}

const ids = (tag: string, count: number): string[] =>
  Array.from({ length: count }, (_, index) => `2400${tag}-WorkflowTask-${String(index).padStart(6, '0')}`);

describe('single-process pacing at the default budget', () => {
  let emulator: RunningEmulator;
  let subgraph: SubgraphProcess | undefined;
  let url: string;

  beforeAll(async () => {
    buildDist();
    emulator = await startEmulator({ host: '127.0.0.1' });
    // Defaults everywhere that matters here: MPS_RATE_LIMIT_RPS and RATE_LIMIT_MARGIN_MS are not set.
    subgraph = spawnSubgraph({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...emulatorEnv(emulator.url),
      REQUEST_DEADLINE_MS: '30000',
    });
    url = await readyUrl(subgraph);
  }, 60_000);

  afterAll(async () => {
    subgraph?.kill();
    await emulator?.close();
  });

  it('never puts more than 20 arrivals of one list of 80 ids into any one-second window', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LIST, variables: { ids: ids('80', 80) } }),
    });
    const answer = (await response.json()) as Answer;
    // Unknown ids are answered NOT_FOUND by the emulator: an answer, so every id made its call.
    expect((answer.errors ?? []).map((error) => error.extensions?.code).filter((code) => code !== 'NOT_FOUND')).toEqual(
      [],
    );
    const arrivals = emulator
      .calls()
      .filter((call) => call.provider === 'tencent-mps')
      .map((call) => call.receivedAt);
    expect(arrivals).toHaveLength(80);
    expect(busiestWindow(arrivals)).toBeLessThanOrEqual(DEFAULT_RPS);
  }, 60_000);

  it('keeps to 20 arrivals a second with several lists at once and a provider that takes 25 ms, as in the scale-out bench', async () => {
    emulator.resetCalls();
    emulator.injectFault({}, { kind: 'latency', latencyMs: 25 });
    const lists = Array.from({ length: 6 }, (_, list) => ids(`9${list}`, 20));
    const answers = await Promise.all(
      lists.map(async (list) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: LIST, variables: { ids: list } }),
        });
        return (await response.json()) as Answer;
      }),
    );
    emulator.clearFaults();
    expect(
      answers
        .flatMap((answer) => (answer.errors ?? []).map((error) => error.extensions?.code))
        .filter((code) => code !== 'NOT_FOUND'),
    ).toEqual([]);
    const arrivals = emulator
      .calls()
      .filter((call) => call.provider === 'tencent-mps')
      .map((call) => call.receivedAt);
    expect(arrivals).toHaveLength(120);
    expect(busiestWindow(arrivals)).toBeLessThanOrEqual(DEFAULT_RPS);
  }, 60_000);
});
