/**
 * The provider quota shared by every replica: a sliding log in one sorted set per provider, decided
 * by one Lua script (atomic, on Redis's clock), over the limiter's window plus its margin, with
 * grants paced at least window/limit apart. A refused call learns how long until it may go, and
 * asks again then. Why: docs/architecture.md, "Design notes".
 * Priority classes span replicas: an interactive call that must wait marks the provider's `demand`
 * key a little longer than its wait; while marked, background calls go only within their reserve.
 */
import type { CallPriority } from '../../sources/task-source.js';
import { reservedCalls, type QuotaAnswer, type SharedQuota } from '../rate-limiter.js';
import { UNAVAILABLE, type RedisLink } from './redis-link.js';

/**
 * KEYS[1] the log, KEYS[2] the demand mark; ARGV limit, window ms, a unique member, class letter
 * (i, f, r), the reserve of a background class. Members are "<class>:<member>". Returns {1, 0}
 * granted, or {0, ms to wait}.
 */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local class = ARGV[4]
local reserve = tonumber(ARGV[5])
local spacing = window / limit
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local wait = 0
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if newest[2] then wait = math.max(wait, tonumber(newest[2]) + spacing - now) end
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + window - now)
end
if class ~= 'i' and redis.call('EXISTS', KEYS[2]) == 1 then
  local used = 0
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if string.sub(member, 1, 2) == class .. ':' then used = used + 1 end
  end
  if used >= reserve then return {0, math.ceil(math.max(wait, spacing))} end
end
if wait <= 0 then
  redis.call('ZADD', KEYS[1], now, class .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
if class == 'i' then redis.call('SET', KEYS[2], '1', 'PX', math.ceil(wait + 2 * spacing)) end
return {0, math.ceil(wait)}
`;

const CLASS_LETTER: Record<CallPriority, string> = { interactive: 'i', first_read: 'f', refresh: 'r' };

export interface SharedQuotaOptions {
  readonly link: RedisLink;
  readonly key: string;
  readonly ratePerSecond: number;
  /** Window plus margin, in ms. */
  readonly windowMs: number;
  /** Unique per process, so two replicas' grants never collide as one member. */
  readonly replicaId: string;
  /** As the limiter's option; default 0.05. */
  readonly reservedShare?: number;
}

export function redisQuota(options: SharedQuotaOptions): SharedQuota {
  let sequence = 0;
  const reserve = reservedCalls(options.ratePerSecond, options.reservedShare);
  // Next to the log, so both keys live in one cluster slot whenever the log's key has a hash tag.
  const demandKey = `${options.key}:demand`;
  return {
    async take(priority: CallPriority = 'interactive'): Promise<QuotaAnswer> {
      sequence += 1;
      const reply = await options.link.eval(
        TAKE_SCRIPT,
        [options.key, demandKey],
        [options.ratePerSecond, options.windowMs, `${options.replicaId}:${sequence}`, CLASS_LETTER[priority], reserve],
      );
      if (reply === UNAVAILABLE || !Array.isArray(reply)) return null;
      const [granted, waitMs] = reply as [unknown, unknown];
      if (granted === 1) return { granted: true };
      return { granted: false, retryAfterMs: typeof waitMs === 'number' && waitMs > 0 ? waitMs : 1 };
    },
  };
}
