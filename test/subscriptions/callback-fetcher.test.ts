/**
 * Each callback request ends at its timeout or at shutdown whatever the receiver does, with the
 * garbage collector run while it waits: on Node 20 a fetch bounded by
 * `AbortSignal.any([AbortSignal.timeout(…), …])` loses its abort to a collection and hangs.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { boundedFetcher } from '../../src/subscriptions/callback-transport.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { until } from '../support/ws-client.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Settles each request as `aborted`, `answered`, or `still waiting` once the safety net has passed. */
async function outcomes(requests: Array<Promise<unknown>>, safetyNetMs: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let net: NodeJS.Timeout | undefined;
  const stillWaiting = new Promise<string>((resolve) => {
    net = setTimeout(() => resolve('still waiting'), safetyNetMs);
  });
  const settled = await Promise.all(
    requests.map((request) =>
      Promise.race([
        request.then(
          () => 'answered',
          (error: unknown) => ((error as Error).name === 'AbortError' ? 'aborted' : String(error)),
        ),
        stillWaiting,
      ]),
    ),
  );
  clearTimeout(net);
  for (const outcome of settled) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

/** Two full collections while the requests wait: enough for Node 20 to lose an `AbortSignal.any` composite. */
async function collectTwice(): Promise<void> {
  for (let n = 0; n < 2; n += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    collectGarbage();
  }
}

describe('callback requests', () => {
  let target: HttpTarget;
  beforeEach(async () => {
    target = await startHttpTarget(() => 'hang');
  });
  afterEach(async () => {
    await target.close();
  });

  it('end at their timeout against a receiver that never answers, through garbage collections', async () => {
    const fetcher = boundedFetcher(fetch, 3_000, new AbortController().signal);
    const requests = Array.from({ length: 20 }, () => fetcher(`${target.url}/callback`, { body: '{}' }));
    // Outcomes are taken before the collections, so no rejection is ever left unhandled; the timeout
    // is long enough for both collections to come first even in a loaded worker's large heap.
    const settled = outcomes(requests, 15_000);
    await collectTwice();
    expect(await settled).toEqual({ aborted: 20 });
    // Each one that reached the receiver had its connection closed: nothing is left holding a socket.
    await until(() => target.requests.every((request) => request.abandoned), 'every connection closed');
  }, 30_000);

  it('end at shutdown, and none starts after it', async () => {
    const shutdown = new AbortController();
    const fetcher = boundedFetcher(fetch, 60_000, shutdown.signal);
    const settled = outcomes(
      Array.from({ length: 20 }, () => fetcher(`${target.url}/callback`, { body: '{}' })),
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    shutdown.abort();
    const late = outcomes([fetcher(`${target.url}/callback`, { body: '{}' })], 10_000);
    expect(await settled).toEqual({ aborted: 20 });
    expect(await late).toEqual({ aborted: 1 });
  });
});
