/**
 * What the shared tier reads back from a real redis-server is not trusted: entries of the wrong
 * shape, entries that are not entries, and (with a value key) entries whose MAC is missing or
 * wrong are dropped, counted, and answered by the provider, whose answer then replaces them.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { sharedKeys } from '../../src/upstream/shared/keys.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { newTally } from './helpers.js';
import { countingProvider, Replicas } from './shared-replicas.js';

const NAMESPACE = 'values-test';
const VALUE_KEY = 'shared-values-test-key-0123456789abcdef';

describe('values read back from Redis (real redis-server)', () => {
  let redis: RedisServer;
  let raw: Redis;
  let replicas: Replicas;
  let prefix: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
  });
  afterAll(async () => {
    await raw.quit();
    await redis.stop();
  });
  beforeEach(() => {
    prefix = `test-${randomBytes(4).toString('hex')}:`;
    replicas = new Replicas(redis.url);
  });
  afterEach(() => replicas.closeAll());

  const taskKey = (taskId: string): string => sharedKeys(prefix, 'tencent-mps', NAMESPACE).task(taskId);

  it.each([
    ['an empty value', JSON.stringify({ ok: true, value: {} }), 'shape'],
    [
      'a value with a field of the wrong type',
      JSON.stringify({ ok: true, value: { taskId: 'bad-1', terminal: 'yes', call: 1 } }),
      'shape',
    ],
    [
      'a value with a field too many',
      JSON.stringify({ ok: true, value: { taskId: 'bad-1', terminal: true, call: 1, admin: true } }),
      'shape',
    ],
    ['text that is not JSON', 'not json at all', 'undecodable'],
    ['JSON that is not an entry', JSON.stringify([1, 2, 3]), 'undecodable'],
  ])('drops %s, asks the provider, and stores its answer in its place', async (_name, stored, reason) => {
    const provider = countingProvider();
    const a = await replicas.start(provider.source, { prefix, namespace: NAMESPACE });
    const b = await replicas.start(provider.source, { prefix, namespace: NAMESPACE });
    await raw.set(taskKey('bad-1'), stored, 'PX', 60_000);
    const answer = await a.upstream.source('bad-1');
    expect(answer).toEqual({ taskId: 'bad-1', terminal: true, call: 1 });
    expect(provider.total()).toBe(1);
    expect(a.dropped).toEqual([reason]);
    // The provider's answer replaced the bad entry: another replica reads it, with no call of its own.
    const tally = newTally();
    expect(await b.upstream.source('bad-1', { tally })).toEqual(answer);
    expect(tally.sharedCacheHits).toBe(1);
    expect(provider.total()).toBe(1);
    expect(b.dropped).toEqual([]);
  });

  it('refuses, with a value key, an entry rewritten in Redis, one copied from another task, and one with no MAC', async () => {
    const provider = countingProvider();
    const writer = await replicas.start(provider.source, { prefix, namespace: NAMESPACE, valueKey: VALUE_KEY });
    await writer.upstream.source('signed-1');
    const genuine = (await raw.get(taskKey('signed-1')))!;
    expect(genuine).not.toContain(VALUE_KEY);
    await raw.set(taskKey('signed-2'), genuine, 'PX', 60_000);
    await raw.set(taskKey('signed-3'), genuine.replace('"call":1', '"call":99'), 'PX', 60_000);
    await raw.set(
      taskKey('signed-4'),
      JSON.stringify({ ok: true, value: { taskId: 'signed-4', terminal: true, call: 99 } }),
      'PX',
      60_000,
    );
    const reader = await replicas.start(provider.source, {
      prefix,
      namespace: NAMESPACE,
      valueKey: VALUE_KEY,
      localEntries: 0,
    });
    const tally = newTally();
    // The genuine entry, under its own key, is served.
    expect(await reader.upstream.source('signed-1', { tally })).toEqual({
      taskId: 'signed-1',
      terminal: true,
      call: 1,
    });
    expect(tally.sharedCacheHits).toBe(1);
    for (const taskId of ['signed-2', 'signed-3', 'signed-4'])
      expect((await reader.upstream.source(taskId)).call).not.toBe(99);
    expect(reader.dropped).toEqual(['signature', 'signature', 'signature']);
    expect(provider.total()).toBe(4);
    expect(provider.calls.get('signed-1')).toBe(1);
  });

  it('serves, without a value key, only entries of the right shape; a sealed entry is not one', async () => {
    const provider = countingProvider();
    const sealed = await replicas.start(provider.source, { prefix, namespace: NAMESPACE, valueKey: VALUE_KEY });
    await sealed.upstream.source('mixed-1');
    const plain = await replicas.start(provider.source, { prefix, namespace: NAMESPACE });
    await plain.upstream.source('mixed-1');
    expect(plain.dropped).toEqual(['undecodable']);
    expect(provider.total()).toBe(2);
  });
});
