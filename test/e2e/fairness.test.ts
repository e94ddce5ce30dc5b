/**
 * One client must not starve everyone (issue 9), over real HTTP: a flood of concurrent
 * `_entities` requests with thousands of distinct ids next to a well-behaved one-id request,
 * and a flood whose client hangs up. Counted in provider calls the emulator received and in
 * the rate-limit queue length /metrics reports, never in elapsed time.
 */
import { SEED } from '../../src/emulator/index.js';
import { countCodes, ENTITIES, eventually, queueLength, rejectedTotal, startFlood } from '../support/flood.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const QUEUE = 30;
const FLOOD = { requests: 6, idsPerRequest: 500 } as const;
const IMAGE_ID = SEED.image.finishedSuccess;

describe('fairness between requests (issue 9)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      MPS_RATE_LIMIT_RPS: '3',
      RATE_LIMIT_MAX_QUEUE: String(QUEUE),
      UPSTREAM_CONCURRENCY: '16',
      REQUEST_DEADLINE_MS: '15000',
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    stack.emulator.clearFaults();
    stack.emulator.resetCalls();
  });

  /**
   * The queue was full once the limiter refuses calls (it refuses only then). Not "the gauge reads
   * QUEUE": calls are paced, so the flood's refused ids run out within a second or so while the
   * queue drains one grant at a time, and a scrape on a busy machine can miss the moment it is full.
   */
  async function floodFillsQueue(before: number): Promise<void> {
    await eventually(
      async () => (await rejectedTotal(stack, 'tencent-mps')) > before && (await queueLength(stack, 'tencent-mps')) > 0,
      'the flood fills the queue',
      200,
    );
  }

  it('serves a one-id request while a flood of 3000 distinct ids fills the rate-limit queue', async () => {
    const before = await rejectedTotal(stack, 'tencent-mps');
    const flood = startFlood(stack, { ...FLOOD, prefix: 'fair-served' });
    await floodFillsQueue(before);

    const { body } = await stack.query(ENTITIES, { representations: [{ __typename: 'ImageTask', taskId: IMAGE_ID }] });
    expect(countCodes(body.errors)).toEqual({});
    expect(body.data?._entities).toEqual([{ taskId: IMAGE_ID, state: 'SUCCEEDED' }]);
    expect(stack.emulator.callCount({ taskId: IMAGE_ID })).toBe(1);

    flood.abort();
    await flood.done;
    await eventually(
      async () => (await queueLength(stack, 'tencent-mps')) === 0,
      'the abandoned flood leaves the queue',
    );
  });

  it('stops calling the provider once the flooding client hangs up, and its waiters leave the queue', async () => {
    const before = await rejectedTotal(stack, 'tencent-mps');
    const flood = startFlood(stack, { ...FLOOD, prefix: 'fair-dropped' });
    await floodFillsQueue(before);
    flood.abort();
    const outcomes = await flood.done;
    expect(outcomes.every((outcome) => outcome.status === null)).toBe(true);

    // At 3 calls a second, 30 waiters would take ten seconds to drain; abandoned, they leave at once.
    await eventually(
      async () => (await queueLength(stack, 'tencent-mps')) === 0,
      'the abandoned flood leaves the queue',
      60,
      50,
    );
    // Calls granted just before the disconnect may still be on their way to the emulator.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const callsAfterDisconnect = stack.emulator.callCount({ provider: 'tencent-mps' });
    // Two full rate windows later, not one more call has gone out for the dropped requests.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(stack.emulator.callCount({ provider: 'tencent-mps' })).toBe(callsAfterDisconnect);
    expect(await queueLength(stack, 'tencent-mps')).toBe(0);
    // What went out before the disconnect is the budget's worth, not the flood's 3000 ids.
    expect(callsAfterDisconnect).toBeLessThan(100);
  });

  it('still answers the flood, with RATE_LIMITED for what did not fit, when its client stays', async () => {
    const flood = startFlood(stack, { requests: 3, idsPerRequest: 40, prefix: 'fair-stays' });
    const outcomes = await flood.done;
    for (const outcome of outcomes) {
      expect(outcome.status).toBe(200);
      // Every id is answered: NOT_FOUND from the provider, or refused by the full queue.
      expect(Object.keys(outcome.codes).every((code) => code === 'NOT_FOUND' || code === 'RATE_LIMITED')).toBe(true);
      expect((outcome.codes['NOT_FOUND'] ?? 0) + (outcome.codes['RATE_LIMITED'] ?? 0)).toBe(40);
    }
  });
});
