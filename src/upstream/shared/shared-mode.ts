/**
 * Turns shared mode on: connects to Redis (ioredis is loaded here, dynamically, only when
 * REDIS_URL is set), reports Redis's state once per transition (a log line, the `redis_up` and
 * `redis_degraded` gauges), and hands each provider's upstream stack what it needs to take part,
 * under its own deployment's namespace.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ProviderName } from '../../providers/errors.js';
import type { Clock } from '../clock.js';
import type { SharedDeps } from '../upstream-source.js';
import type { DropReason } from './codec.js';
import { probeKey } from './keys.js';
import { deploymentNamespace, type DeploymentIdentity } from './namespace.js';
import { createRedisLink, type RedisLink, type RedisState } from './redis-link.js';
import { valueSeal } from './seal.js';
import type { Check } from './shape.js';
import type { RedisConfig } from '../../config/index.js';

/** The REDIS_* section of the config, as loadConfig reads it. */
export type SharedModeOptions = RedisConfig;

export interface SharedModeHooks {
  readonly redisState: (state: RedisState) => void;
  readonly redisFallback: () => void;
  readonly valueDropped: (provider: ProviderName, reason: DropReason) => void;
}

export interface SharedMode {
  /** What one provider's stack needs, its keys under the namespace of `identity`; `accepts` checks what is read back. */
  forProvider<T>(identity: DeploymentIdentity, accepts: Check<T>): SharedDeps<T>;
  readonly link: RedisLink;
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

/** The warn line for entering `state`; each names what the replicas do meanwhile. */
const TRANSITION_MESSAGES: Record<RedisState, string> = {
  up: 'redis is answering again: shared cache, in-flight calls and quota resumed',
  degraded:
    'redis refuses writes (degraded): shared answers are still read, provider calls go without leases, each replica keeping to REDIS_FALLBACK_RPS_SHARE of the provider quota',
  down: 'redis unavailable: answering in-process, each replica keeping to REDIS_FALLBACK_RPS_SHARE of the provider quota',
};

export async function startSharedMode(
  options: SharedModeOptions,
  clock: Clock,
  logger: Logger,
  hooks: SharedModeHooks,
): Promise<SharedMode> {
  const { connectRedis } = await import('./connect.js');
  const { client, subscriber } = await connectRedis(options.url, options.commandTimeoutMs);
  const replicaId = randomBytes(8).toString('hex');
  hooks.redisState('up');
  const link = createRedisLink({
    client,
    subscriber,
    clock,
    probeKey: probeKey(options.keyPrefix, replicaId),
    onTransition(state, reason) {
      hooks.redisState(state);
      if (state === 'up') logger.warn(TRANSITION_MESSAGES.up);
      else
        logger.warn(
          { reason: scrubbed(reason, options.url), fallbackRpsShare: options.fallbackRpsShare },
          TRANSITION_MESSAGES[state],
        );
    },
    onFallback: hooks.redisFallback,
  });
  const seal = valueSeal(options.valueKey);
  return {
    forProvider: (identity, accepts) => ({
      link,
      keyPrefix: options.keyPrefix,
      namespace: deploymentNamespace(identity),
      accepts,
      seal,
      onValueDropped: hooks.valueDropped,
      leaseMs: options.leaseMs,
      fallbackRpsShare: options.fallbackRpsShare,
      replicaId,
      token: () => randomBytes(12).toString('hex'),
    }),
    link,
    close: () => link.close(),
  };
}
