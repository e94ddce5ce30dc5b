/**
 * Opens the two Redis connections of shared mode. ioredis is imported here, dynamically, and this
 * module is imported only when REDIS_URL is set, so the default process loads no Redis client.
 *
 * Start-up never waits for Redis: a Redis that is down at start is the same as one that went down
 * later (the link reports it and every caller falls back), and the client keeps reconnecting.
 */
import type { RedisClientLike } from './redis-link.js';

export interface RedisConnections {
  readonly client: RedisClientLike;
  readonly subscriber: RedisClientLike;
}

export async function connectRedis(url: string, commandTimeoutMs: number): Promise<RedisConnections> {
  const { Redis } = await import('ioredis');
  const options = {
    // Fail at once while disconnected instead of queueing: the caller falls back to in-process behaviour.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1_000, commandTimeoutMs * 4),
    // Keep trying for ever, at most every 2 s: shared mode resumes by itself when Redis is back.
    retryStrategy: (times: number) => Math.min(100 * times, 2_000),
    lazyConnect: false,
  };
  const client = new Redis(url, options);
  // A subscriber must queue its SUBSCRIBE until connected, and it resubscribes after a reconnect.
  const subscriber = new Redis(url, {
    ...options,
    enableOfflineQueue: true,
    commandTimeout: undefined,
    autoResubscribe: true,
  });
  return { client: client as unknown as RedisClientLike, subscriber: subscriber as unknown as RedisClientLike };
}
