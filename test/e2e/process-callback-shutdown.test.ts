/**
 * SIGTERM to a real `node dist/index.js` with a callback subscription whose receiver answers
 * `check` and `next` but never `complete` (issue 19, item 2): the process exits once its
 * `complete` attempts have timed out, and a second signal during a longer drain ends it at once.
 */
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startHttpTarget, type HttpTarget, type TargetAnswer, type TargetRequest } from '../support/http-target.js';
import { buildDist, emulatorEnv, readyUrl, spawnSubgraph } from '../support/process.js';
import { until } from '../support/ws-client.js';

const SUBSCRIPTION = 'subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId state } }';

function neverCompletes(request: TargetRequest): TargetAnswer {
  const action = (JSON.parse(request.body || '{}') as { action?: string }).action;
  return action === 'complete' ? 'hang' : { status: action === 'check' ? 204 : 200 };
}

const actions = (receiver: HttpTarget): string[] =>
  receiver.requests.map((request) => (JSON.parse(request.body) as { action: string }).action);

describe('SIGTERM with a callback receiver that never answers complete (real process)', () => {
  let emulator: RunningEmulator;
  let receiver: HttpTarget;
  beforeAll(async () => {
    buildDist();
    emulator = await startEmulator();
    receiver = await startHttpTarget(neverCompletes);
  });
  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  const subscribeThroughCallback = async (url: string, id: string): Promise<number> => {
    emulator.scriptTask('tencent-mps', id);
    const response = await fetch(new URL('/graphql', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json;callbackSpec=1.0' },
      body: JSON.stringify({
        query: SUBSCRIPTION,
        variables: { id },
        extensions: {
          subscription: {
            callbackUrl: `${receiver.url}/callback/${id}`,
            subscriptionId: id,
            verifier: `v-${id}`,
            heartbeatIntervalMs: 0,
          },
        },
      }),
    });
    return response.status;
  };

  it('exits 0 once the complete attempts have timed out, each one abandoned', async () => {
    const subgraph = spawnSubgraph({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...emulatorEnv(emulator.url),
      SUBSCRIPTION_CALLBACK_URLS: `${receiver.url}/callback`,
      SUBSCRIPTION_CALLBACK_TIMEOUT_MS: '500',
    });
    try {
      const url = await readyUrl(subgraph);
      expect(await subscribeThroughCallback(url, 'process-callback-1')).toBe(200);
      await until(() => actions(receiver).includes('next'), 'the first next');
      subgraph.child.kill('SIGTERM');
      expect(await subgraph.exited).toBe(0);
      expect(actions(receiver)).toEqual(['check', 'next', 'complete', 'complete', 'complete']);
      await until(
        () => receiver.actions('complete').every((request) => request.abandoned),
        'every complete request closed',
      );
    } finally {
      subgraph.kill();
    }
  });

  it('exits at a second SIGTERM during a drain that would still wait', async () => {
    receiver.requests.length = 0;
    const subgraph = spawnSubgraph({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...emulatorEnv(emulator.url),
      SUBSCRIPTION_CALLBACK_URLS: `${receiver.url}/callback`,
      SUBSCRIPTION_CALLBACK_TIMEOUT_MS: '60000',
      SHUTDOWN_GRACE_MS: '120000',
    });
    try {
      const url = await readyUrl(subgraph);
      expect(await subscribeThroughCallback(url, 'process-callback-2')).toBe(200);
      await until(() => actions(receiver).includes('next'), 'the first next');
      subgraph.child.kill('SIGTERM');
      await until(() => actions(receiver).includes('complete'), 'the complete attempt');
      subgraph.child.kill('SIGTERM');
      expect(await subgraph.exited).toBe(1);
      expect(
        subgraph
          .logLines()
          .filter((line) => line['signal'] !== undefined)
          .map((line) => line['msg']),
      ).toEqual([
        'draining in-flight requests before exit',
        'second signal during the drain: exiting without waiting for it',
      ]);
    } finally {
      subgraph.kill();
    }
  });
});
