/**
 * The provider quota shared by every replica: a sliding log in one sorted set per provider, decided
 * by one Lua script (atomic, on Redis's clock), over the limiter's window plus its margin, with
 * grants paced at least window/limit apart. A refused call learns how long until it may go, and
 * asks again then. Why: docs/architecture.md, "Design notes".
 */
import type { QuotaAnswer, SharedQuota } from '../rate-limiter.js';
import { UNAVAILABLE, type RedisLink } from './redis-link.js';

/** KEYS[1] the log; ARGV limit, window ms, a unique member. Returns {1, 0} granted, or {0, ms to wait}. */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local spacing = window / limit
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local wait = 0
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if newest[2] then wait = math.max(wait, tonumber(newest[2]) + spacing - now) end
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + window - now)
end
if wait <= 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
return {0, math.ceil(wait)}
`;

export interface SharedQuotaOptions {
  readonly link: RedisLink;
  readonly key: string;
  readonly ratePerSecond: number;
  /** Window plus margin, in ms. */
  readonly windowMs: number;
  /** Unique per process, so two replicas' grants never collide as one member. */
  readonly replicaId: string;
}

export function redisQuota(options: SharedQuotaOptions): SharedQuota {
  let sequence = 0;
  return {
    async take(): Promise<QuotaAnswer> {
      sequence += 1;
      const reply = await options.link.eval(
        TAKE_SCRIPT,
        [options.key],
        [options.ratePerSecond, options.windowMs, `${options.replicaId}:${sequence}`],
      );
      if (reply === UNAVAILABLE || !Array.isArray(reply)) return null;
      const [granted, waitMs] = reply as [unknown, unknown];
      if (granted === 1) return { granted: true };
      return { granted: false, retryAfterMs: typeof waitMs === 'number' && waitMs > 0 ? waitMs : 1 };
    },
  };
}
