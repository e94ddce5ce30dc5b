/**
 * Turns shared mode on: connects to Redis (ioredis is loaded here, dynamically, only when
 * REDIS_URL is set), reports Redis's availability once per transition (a log line and the
 * `redis_up` gauge), and hands back what each provider's upstream stack needs to take part.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { RedisConfig } from '../../config/index.js';
import type { Clock } from '../clock.js';
import type { SharedDeps } from '../upstream-source.js';
import { createRedisLink } from './redis-link.js';

export interface SharedModeHooks {
  readonly redisUp: (up: boolean) => void;
  readonly redisFallback: () => void;
}

export interface SharedMode {
  readonly deps: SharedDeps;
  close(): Promise<void>;
}

/** A reason as Redis or the client words it, with the URL's password cut out should it ever appear. */
function scrubbed(reason: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // config.ts validated the URL; nothing to cut otherwise.
  }
  return password ? reason.split(password).join('[redacted]') : reason;
}

export async function startSharedMode(config: RedisConfig, clock: Clock, logger: Logger, hooks: SharedModeHooks): Promise<SharedMode> {
  const { connectRedis } = await import('./connect.js');
  const { client, subscriber } = await connectRedis(config.url, config.commandTimeoutMs);
  hooks.redisUp(true);
  const link = createRedisLink({
    client,
    subscriber,
    clock,
    onTransition(up, reason) {
      hooks.redisUp(up);
      if (up) logger.warn('redis is answering again: shared cache, in-flight calls and quota resumed');
      else
        logger.warn(
          { reason: scrubbed(reason, config.url), fallbackRpsShare: config.fallbackRpsShare },
          'redis unavailable: answering in-process, each replica keeping to REDIS_FALLBACK_RPS_SHARE of the provider quota',
        );
    },
    onFallback: hooks.redisFallback,
  });
  return {
    deps: {
      link,
      keyPrefix: config.keyPrefix,
      leaseMs: config.leaseMs,
      fallbackRpsShare: config.fallbackRpsShare,
      replicaId: randomBytes(8).toString('hex'),
      token: () => randomBytes(12).toString('hex'),
    },
    close: () => link.close(),
  };
}
