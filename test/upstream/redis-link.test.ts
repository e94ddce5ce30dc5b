/**
 * The link's three states against a scripted client: which commands are sent in each, what moves
 * it between them, and that each transition is reported once. Against a real redis-server, see
 * shared-degraded.test.ts.
 */
import {
  createRedisLink,
  refusesWrites,
  UNAVAILABLE,
  type RedisClientLike,
  type RedisState,
} from '../../src/upstream/shared/redis-link.js';
import { FakeClock } from '../support/fake-clock.js';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
const PROBE_KEY = 'test:probe:replica-1';

/** A client whose every command answers with what `reply` says for it; it records the scripts it ran. */
function scriptedClient(reply: (script: string, keys: string[]) => unknown) {
  const sent: string[][] = [];
  let onError: ((error: Error) => void) | undefined;
  const client: RedisClientLike & { status: string } = {
    status: 'ready',
    async eval(script, numKeys, ...args) {
      const keys = args.slice(0, numKeys).map(String);
      sent.push(keys);
      const answer = reply(script, keys);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    subscribe: async () => 1,
    on(event: string, listener: never) {
      if (event === 'error') onError = listener;
      return client;
    },
    quit: async () => 'OK',
    disconnect: () => undefined,
  };
  return {
    client,
    sent,
    probes: () => sent.filter((keys) => keys[0] === PROBE_KEY).length,
    emitError: (error: Error) => onError?.(error),
  };
}

describe('redis link states', () => {
  let clock: FakeClock;
  let transitions: RedisState[];
  let fallbacks: number;
  beforeEach(() => {
    clock = new FakeClock();
    transitions = [];
    fallbacks = 0;
  });

  const linkOver = (client: RedisClientLike) =>
    createRedisLink({
      client,
      subscriber: scriptedClient(() => 'OK').client,
      clock,
      probeKey: PROBE_KEY,
      probeIntervalMs: 1_000,
      onTransition: (state) => transitions.push(state),
      onFallback: () => (fallbacks += 1),
    });

  it('tells a Redis that refuses writes from one that fails', () => {
    expect(refusesWrites(new Error(OOM))).toBe(true);
    expect(refusesWrites(new Error(`${OOM} script: 6800a2c5, on @user_script:1.`))).toBe(true);
    expect(refusesWrites(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(
      refusesWrites(
        new Error(
          'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.',
        ),
      ),
    ).toBe(true);
    expect(refusesWrites(new Error('Command timed out'))).toBe(false);
    expect(refusesWrites(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(false);
    expect(refusesWrites(new Error('ERR user_script:1: Script attempted to access nonexistent global variable'))).toBe(
      false,
    );
  });

  it('goes degraded on a refused write, sends reads but no writes there, and leaves only when its probe writes', async () => {
    let full = true;
    const redis = scriptedClient((script, keys) =>
      full && (keys[0] === PROBE_KEY || script.includes('SET')) ? new Error(OOM) : 'answer',
    );
    const link = linkOver(redis.client);
    expect(await link.eval("return redis.call('SET', KEYS[1], 'x')", ['k'], [])).toBe(UNAVAILABLE);
    expect(link.state()).toBe('degraded');
    // Many commands within one probe interval: reads answered, writes not sent, no probe, no transition.
    for (let index = 0; index < 10; index += 1) {
      expect(await link.read("return redis.call('GET', KEYS[1])", ['k'], [])).toBe('answer');
      expect(await link.eval("return redis.call('SET', KEYS[1], 'x')", ['k'], [])).toBe(UNAVAILABLE);
    }
    expect(redis.sent.length).toBe(11);
    expect(redis.probes()).toBe(0);
    // A probe a second later, refused again: still degraded, nothing reported.
    await clock.advance(1_000);
    expect(await link.read("return redis.call('GET', KEYS[1])", ['k'], [])).toBe('answer');
    expect(redis.probes()).toBe(1);
    expect(transitions).toEqual(['degraded']);
    // Memory freed: the next probe writes, and the link is up before the command that triggered it runs.
    full = false;
    await clock.advance(1_000);
    expect(await link.eval("return redis.call('SET', KEYS[1], 'x')", ['k'], [])).toBe('answer');
    expect(redis.probes()).toBe(2);
    expect(transitions).toEqual(['degraded', 'up']);
    expect(fallbacks).toBe(11);
  });

  it('never flips up on a command that happened to succeed without writing', async () => {
    // Redis refuses writes; a script that only read (a quota "wait" answer) succeeds.
    const redis = scriptedClient((script, keys) =>
      keys[0] === PROBE_KEY || script.includes('ZADD') ? new Error(OOM) : [0, 50],
    );
    const link = linkOver(redis.client);
    expect(await link.eval("return redis.call('ZADD', KEYS[1], 1, 'm')", ['quota'], [])).toBe(UNAVAILABLE);
    for (let index = 0; index < 5; index += 1) {
      await clock.advance(1_000);
      expect(await link.read("return redis.call('ZCARD', KEYS[1])", ['quota'], [])).toEqual([0, 50]);
      expect(await link.eval("return redis.call('ZADD', KEYS[1], 1, 'm')", ['quota'], [])).toBe(UNAVAILABLE);
    }
    expect(transitions).toEqual(['degraded']);
    expect(redis.probes()).toBe(5);
  });

  it('goes down on a connection error, sends nothing there, and a probe that finds Redis full makes it degraded', async () => {
    let answering = false;
    const redis = scriptedClient((_script, keys) =>
      !answering ? new Error('Connection is closed.') : keys[0] === PROBE_KEY ? new Error(OOM) : 'answer',
    );
    const link = linkOver(redis.client);
    redis.emitError(new Error('connect ECONNREFUSED'));
    expect(link.state()).toBe('down');
    expect(await link.read("return redis.call('GET', KEYS[1])", ['k'], [])).toBe(UNAVAILABLE);
    expect(redis.sent.length).toBe(0);
    answering = true;
    await clock.advance(1_000);
    expect(await link.read("return redis.call('GET', KEYS[1])", ['k'], [])).toBe('answer');
    expect(transitions).toEqual(['down', 'degraded']);
  });

  it('does not probe while the client is still reconnecting', async () => {
    const redis = scriptedClient(() => 'OK');
    const link = linkOver(redis.client);
    redis.emitError(new Error('read ECONNRESET'));
    redis.client.status = 'reconnecting';
    await clock.advance(5_000);
    expect(await link.eval('return 1', ['k'], [])).toBe(UNAVAILABLE);
    expect(redis.probes()).toBe(0);
    redis.client.status = 'ready';
    expect(await link.eval('return 1', ['k'], [])).toBe('OK');
    expect(transitions).toEqual(['down', 'up']);
  });
});
