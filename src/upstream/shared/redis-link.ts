/**
 * The one door to Redis for the shared tier: every command runs under a short timeout, and any
 * failure turns into UNAVAILABLE, which each caller answers by doing what one process does alone.
 * While Redis is down only one probe at a time runs, at most every `probeIntervalMs`; up and down
 * are reported once per transition (`onTransition`). Why: docs/architecture.md.
 */
import type { Clock } from '../clock.js';

export const UNAVAILABLE: unique symbol = Symbol('redis unavailable');
export type Unavailable = typeof UNAVAILABLE;

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
  /** How often a Redis that failed is tried again. */
  readonly probeIntervalMs?: number;
  /** Up (true) or down (false, with why); called on transitions only. */
  readonly onTransition?: (up: boolean, reason: string) => void;
  /** A command that was not run, or failed, so its caller fell back. */
  readonly onFallback?: () => void;
}

export interface RedisLink {
  /** Runs a Lua script atomically; UNAVAILABLE instead of any failure. */
  eval(script: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  /** Every message published on `channel`, for as long as the link lives (resubscribed after a reconnect). */
  onMessage(channel: string, listener: (message: string) => void): void;
  isUp(): boolean;
  close(): Promise<void>;
}

export function createRedisLink(options: RedisLinkOptions): RedisLink {
  const { client, subscriber, clock } = options;
  const probeIntervalMs = options.probeIntervalMs ?? 1_000;
  // Optimistic until told otherwise: the first command finds out.
  let up = true;
  let probing = false;
  let nextProbeAt = 0;
  const listeners = new Map<string, Array<(message: string) => void>>();

  const markDown = (reason: string): void => {
    nextProbeAt = clock.now() + probeIntervalMs;
    if (!up) return;
    up = false;
    options.onTransition?.(false, reason);
  };
  const markUp = (): void => {
    if (up) return;
    up = true;
    options.onTransition?.(true, 'a command succeeded');
  };
  // Without a listener an 'error' event would crash the process; the transitions say enough.
  client.on('error', (error) => markDown(error.message));
  subscriber.on('error', () => undefined);
  subscriber.on('message', (channel, message) => {
    for (const listener of listeners.get(channel) ?? []) listener(message);
  });

  return {
    async eval(script, keys, args) {
      const probe = !up;
      if (probe && (probing || clock.now() < nextProbeAt || client.status !== 'ready')) {
        options.onFallback?.();
        return UNAVAILABLE;
      }
      if (probe) probing = true;
      try {
        const result = await client.eval(script, keys.length, ...keys, ...args);
        markUp();
        return result;
      } catch (error) {
        markDown(error instanceof Error ? error.message : String(error));
        options.onFallback?.();
        return UNAVAILABLE;
      } finally {
        if (probe) probing = false;
      }
    },
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
    isUp: () => up,
    async close() {
      await Promise.all([client, subscriber].map((each) => each.quit().catch(() => each.disconnect())));
    },
  };
}
