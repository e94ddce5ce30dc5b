/**
 * The one door to Redis for the shared tier: every command runs under a short timeout, and any
 * failure turns into UNAVAILABLE, which each caller answers by doing what one process does alone.
 * Three states: up (everything is sent), degraded (Redis answers but refuses writes: reads are
 * sent, writes are not) and down (nothing is sent). A failure leaves up; only a probe, a small
 * write of its own (one at a time, at most every `probeIntervalMs`), comes back. Each transition
 * is reported once (`onTransition`). Why: docs/architecture.md.
 */
import type { Clock } from '../clock.js';

export const UNAVAILABLE: unique symbol = Symbol('redis unavailable');

export type RedisState = 'up' | 'degraded' | 'down';

/** The part of an ioredis client this tier uses; tests may pass anything of this shape. */
export interface RedisClientLike {
  readonly status: string;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  subscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

export interface RedisLinkOptions {
  /** Commands: scripts, reads and writes. */
  readonly client: RedisClientLike;
  /** A second connection in subscriber mode (Redis allows nothing else on it). */
  readonly subscriber: RedisClientLike;
  readonly clock: Pick<Clock, 'now'>;
  /** Where the probe writes (a short-lived key of this replica's own). */
  readonly probeKey: string;
  /** How often a Redis that failed is tried again. */
  readonly probeIntervalMs?: number;
  /** The new state, with why; called on transitions only. */
  readonly onTransition?: (state: RedisState, reason: string) => void;
  /** A command that was not run, or failed, so its caller fell back. */
  readonly onFallback?: () => void;
}

export interface RedisLink {
  /** Runs a Lua script that may write, atomically; UNAVAILABLE instead of any failure, and while Redis is not up. */
  eval(script: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  /** Runs a Lua script that only reads; also sent while Redis refuses writes. */
  read(script: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  /** Every message published on `channel`, for as long as the link lives (resubscribed after a reconnect). */
  onMessage(channel: string, listener: (message: string) => void): void;
  state(): RedisState;
  isUp(): boolean;
  close(): Promise<void>;
}

/** KEYS probe key; ARGV ttl ms. A write that costs Redis one small key for a moment. */
const PROBE_SCRIPT = `return redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])`;
const PROBE_TTL_MS = 10_000;

/** Redis's error prefixes for "answering, but not taking writes" (see the Redis error reply list). */
const REFUSES_WRITES = /(?:^|[\s-])(?:OOM|READONLY|MISCONF|NOREPLICAS)\b/;

/** Whether `error` says Redis is reachable but refuses writes, as opposed to unreachable or failing. */
export function refusesWrites(error: unknown): boolean {
  return error instanceof Error && REFUSES_WRITES.test(error.message);
}

export function createRedisLink(options: RedisLinkOptions): RedisLink {
  const { client, subscriber, clock } = options;
  const probeIntervalMs = options.probeIntervalMs ?? 1_000;
  // Optimistic until told otherwise: the first command finds out.
  let state: RedisState = 'up';
  let probing: Promise<void> | null = null;
  let nextProbeAt = 0;
  const listeners = new Map<string, Array<(message: string) => void>>();

  const moveTo = (next: RedisState, reason: string): void => {
    if (next !== 'up') nextProbeAt = clock.now() + probeIntervalMs;
    if (state === next) return;
    state = next;
    options.onTransition?.(next, reason);
  };
  const failed = (error: unknown): void => {
    const reason = error instanceof Error ? error.message : String(error);
    moveTo(refusesWrites(error) ? 'degraded' : 'down', reason);
  };
  // Without a listener an 'error' event would crash the process; the transitions say enough.
  client.on('error', (error) => moveTo('down', error.message));
  subscriber.on('error', () => undefined);
  subscriber.on('message', (channel, message) => {
    for (const listener of listeners.get(channel) ?? []) listener(message);
  });

  /** One probe at a time, at most every probeIntervalMs, and only over a connected client. */
  const probeIfDue = (): Promise<void> | null => {
    if (state === 'up') return null;
    if (probing) return null;
    if (clock.now() < nextProbeAt || client.status !== 'ready') return null;
    nextProbeAt = clock.now() + probeIntervalMs;
    probing = client
      .eval(PROBE_SCRIPT, 1, options.probeKey, PROBE_TTL_MS)
      .then(
        () => moveTo('up', 'a write succeeded'),
        (error: unknown) => failed(error),
      )
      .finally(() => {
        probing = null;
      });
    return probing;
  };

  const run = async (
    writes: boolean,
    script: string,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
  ): Promise<unknown> => {
    const probe = probeIfDue();
    if (probe) await probe;
    if (state === 'down' || (state === 'degraded' && writes)) {
      options.onFallback?.();
      return UNAVAILABLE;
    }
    try {
      return await client.eval(script, keys.length, ...keys, ...args);
    } catch (error) {
      failed(error);
      options.onFallback?.();
      return UNAVAILABLE;
    }
  };

  return {
    eval: (script, keys, args) => run(true, script, keys, args),
    read: (script, keys, args) => run(false, script, keys, args),
    onMessage(channel, listener) {
      const existing = listeners.get(channel);
      if (existing) {
        existing.push(listener);
        return;
      }
      listeners.set(channel, [listener]);
      // A failure here is not fatal: waiters are also bounded by the lease's expiry.
      subscriber.subscribe(channel).catch(() => undefined);
    },
    state: () => state,
    isUp: () => state === 'up',
    async close() {
      await Promise.all([client, subscriber].map((each) => each.quit().catch(() => each.disconnect())));
    },
  };
}
