/**
 * The shared tier: one cache and one provider call per task across every replica. One Lua round
 * trip reads the task's answer or claims its lease; the lease holder calls the provider and
 * publishes on the provider's `done` channel, the others wait for it or the lease's expiry, within
 * their own deadline. Failures other than NOT_FOUND are never stored; when Redis cannot answer,
 * the lookup goes straight to the source. A stored answer is used only when it opens (seal.ts) and
 * has the model's shape (`accepts`); otherwise it is dropped, counted, and the provider is asked.
 * While Redis refuses writes, a lookup reads the stored answer and on a miss asks the source, with
 * no lease to take or wait for. A running task's answer read for a poll stays in Redis past its TTL
 * (`retainRunningMs`) for refreshes only: a refresh takes an answer stored since its replica's last
 * read (`maxAgeMs`), any other lookup one within the TTL. The whole protocol: docs/architecture.md.
 */
import { ProviderError, type ProviderName } from '../../providers/errors.js';
import type { TaskCall, TaskSource } from '../../sources/task-source.js';
import { cachePolicy, cachePolicyAt, signedUrlsLifetimeMs, type CacheTtls } from '../cache.js';
import type { Clock, TimerHandle } from '../clock.js';
import { DeadlineExceededError } from '../deadline.js';
import { upstreamEvents, type UpstreamEvents } from '../events.js';
import { decodeEntry, encodeEntry, type DropReason, type SharedEntry } from './codec.js';
import type { SharedKeys } from './keys.js';
import { UNAVAILABLE, type RedisLink } from './redis-link.js';
import type { ValueSeal } from './seal.js';
import type { Check } from './shape.js';

/**
 * KEYS task, lease; ARGV token, lease ms, an entry too old for this lookup ('' = none), passed by
 * as if absent. {'hit', text, pttl} | {'lease'} | {'wait', lease pttl}.
 */
const LOOKUP_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if value and value ~= ARGV[3] then return {'hit', value, redis.call('PTTL', KEYS[1])} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'lease'} end
return {'wait', redis.call('PTTL', KEYS[2])}
`;

/** KEYS task: the answer alone, for a Redis that refuses writes. {'hit', text, pttl} | {'miss'}. */
const READ_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if value then return {'hit', value, redis.call('PTTL', KEYS[1])} end
return {'miss'}
`;

/**
 * KEYS task, lease; ARGV token, entry ('' = nothing to store), ttl ms, channel, task id. A store
 * that Redis refuses (out of memory) still releases the lease and announces the end, so waiters
 * ask again at once; the refusal is then the script's error, and the link learns of it.
 */
const FINISH_SCRIPT = `
local stored = true
if ARGV[2] ~= '' then stored = redis.pcall('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[4], ARGV[5])
if type(stored) == 'table' and stored.err then return redis.error_reply(stored.err) end
return 1
`;

/** KEYS task; ARGV the entry as read: removes a dropped entry, unless someone replaced it meanwhile. */
const DISCARD_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

/** KEYS lease; ARGV token, lease ms: extends the lease only while it is still ours. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** A lease's PTTL can be read just before it ends; wait a little past it so the next claim succeeds. */
const LEASE_EXPIRY_SLACK_MS = 5;

export interface SharedTierOptions<T> {
  readonly provider: ProviderName;
  readonly link: RedisLink;
  readonly keys: SharedKeys;
  readonly ttls: CacheTtls;
  /**
   * How long a running task's answer read for a poll stays in Redis, for other replicas' refreshes:
   * the longest refresh interval the scheduler hands out (never less than the running TTL, never
   * past a signed URL's expiry). A query's answer stays its TTL, so Redis holds no more long-lived
   * entries than there are watched tasks.
   */
  readonly retainRunningMs: number;
  readonly leaseMs: number;
  readonly defaultDeadlineMs: number;
  readonly clock: Clock;
  /** A fresh random lease token. */
  readonly token: () => string;
  /** Whether a stored value is a T (model-shapes.ts); nothing else is answered. */
  readonly accepts: Check<T>;
  /** MACs over stored values, or none (seal.ts). */
  readonly seal: ValueSeal;
  /** A stored entry that was not used, and why. */
  readonly onValueDropped?: (reason: DropReason) => void;
  readonly events?: Partial<UpstreamEvents>;
}

export interface SharedTier<T> {
  readonly source: TaskSource<T>;
  /**
   * For answers this tier took from Redis: how long they had left there when read. The local
   * cache keeps such an answer no longer than that.
   */
  remainingTtlMs(subject: object): number | undefined;
  /** Deletes the stored answer for one task (best effort: a Redis that is down has nothing to serve). */
  forget(taskId: string): Promise<void>;
}

const FORGET_SCRIPT = `redis.call('DEL', KEYS[1]) return 1`;

function aborted(provider: ProviderName): ProviderError {
  return new ProviderError({
    provider,
    kind: 'UPSTREAM_UNAVAILABLE',
    message: `${provider} request aborted by the caller`,
    retryable: false,
  });
}

/** What the tier's parts share: the source behind it, its options and its two pieces of state. */
interface Tier<T> {
  readonly source: TaskSource<T>;
  readonly options: SharedTierOptions<T>;
  readonly events: UpstreamEvents;
  /** Answers taken from Redis, with how long they had left there. */
  readonly remaining: WeakMap<object, number>;
  /** Per task id, the lookups waiting for its `done` message. */
  readonly waiters: Map<string, Set<() => void>>;
}

interface Watcher {
  cancel(): void;
  /** Resolves on the task's `done` message or after `ms`; rejects when `signal` aborts. */
  until(ms: number, signal: AbortSignal | undefined): Promise<void>;
}

export function sharedTier<T extends { readonly terminal: boolean }>(
  source: TaskSource<T>,
  options: SharedTierOptions<T>,
): SharedTier<T> {
  const { link, keys } = options;
  const tier: Tier<T> = {
    source,
    options,
    events: upstreamEvents(options.events),
    remaining: new WeakMap<object, number>(),
    waiters: new Map<string, Set<() => void>>(),
  };

  link.onMessage(keys.done, (taskId) => {
    const set = tier.waiters.get(taskId);
    if (set) for (const wake of [...set]) wake();
  });

  const shared: TaskSource<T> = (taskId, call) => lookup(tier, taskId, call);
  const forget = async (taskId: string): Promise<void> => {
    await link.eval(FORGET_SCRIPT, [keys.task(taskId)], []).catch(() => undefined);
  };
  return { source: shared, remainingTtlMs: (subject) => tier.remaining.get(subject), forget };
}

/** Registered before the lookup, so a `done` published between the lookup and the wait is not missed. */
function watch<T>(tier: Tier<T>, taskId: string): Watcher {
  const { provider, clock } = tier.options;
  const { waiters } = tier;
  let woken = false;
  let wake: () => void = () => {
    woken = true;
  };
  const listener = (): void => wake();
  let set = waiters.get(taskId);
  if (!set) waiters.set(taskId, (set = new Set()));
  set.add(listener);
  const cancel = (): void => {
    set.delete(listener);
    if (set.size === 0 && waiters.get(taskId) === set) waiters.delete(taskId);
  };
  const until = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let timer: TimerHandle | undefined = undefined;
      const finish = (): void => {
        cancel();
        if (timer !== undefined) clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(aborted(provider));
      };
      wake = () => {
        finish();
        resolve();
      };
      if (woken) return wake();
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = clock.setTimeout(() => wake(), Math.max(0, ms));
    });
  return { cancel, until };
}

function answer<T>(entry: SharedEntry<T>): T {
  if (entry.ok) return entry.value;
  throw entry.error;
}

/** Extends this replica's lease every third of its length until the returned function is called. */
function keepLease<T>(tier: Tier<T>, taskId: string, token: string): () => void {
  const { link, keys, clock, leaseMs } = tier.options;
  let renewal: TimerHandle | undefined;
  let running = true;
  const renew = (): void => {
    renewal = clock.setTimeout(
      () => {
        void link.eval(RENEW_SCRIPT, [keys.lease(taskId)], [token, leaseMs]).then(() => {
          if (running) renew();
        });
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
  };
  renew();
  return () => {
    running = false;
    if (renewal !== undefined) clock.clearTimeout(renewal);
  };
}

/** One script: stores the answer when it may be stored, releases the lease, announces the end. */
function finishLease<T extends { readonly terminal: boolean }>(
  tier: Tier<T>,
  taskId: string,
  token: string,
  entry: SharedEntry<T>,
  forPoll: boolean,
): Promise<unknown> {
  const { link, keys, clock, ttls, seal, retainRunningMs } = tier.options;
  const now = clock.now();
  const subject = entry.ok ? entry.value : entry.error;
  let { ttlMs } = cachePolicyAt(subject, ttls, now);
  if (forPoll && ttlMs > 0 && entry.ok && !entry.value.terminal)
    ttlMs = Math.min(Math.max(ttlMs, retainRunningMs), signedUrlsLifetimeMs(subject, now));
  const keptForMs = Math.max(1, Math.floor(ttlMs));
  const encoded = ttlMs > 0 ? encodeEntry(entry, keptForMs) : null;
  const stored = encoded === null ? '' : seal.seal(keys.task(taskId), encoded);
  return link.eval(
    FINISH_SCRIPT,
    [keys.task(taskId), keys.lease(taskId)],
    [token, stored, keptForMs, keys.done, taskId],
  );
}

/**
 * This replica holds the lease: call, store, release, announce. The answer is kept past its TTL
 * when a poll asked for it or when the one it replaces was (a query for a watched task).
 */
async function hold<T extends { readonly terminal: boolean }>(
  tier: Tier<T>,
  taskId: string,
  token: string,
  call: TaskCall | undefined,
  replacesRetained: boolean,
): Promise<T> {
  // Read now: a query that joins the poll's call later raises its priority, not what was asked for.
  const forPoll = replacesRetained || call?.priority === 'refresh' || call?.priority === 'first_read';
  const stopRenewing = keepLease(tier, taskId, token);
  let entry: SharedEntry<T>;
  try {
    entry = { ok: true, value: await tier.source(taskId, call) };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    entry = { ok: false, error };
  } finally {
    stopRenewing();
  }
  // Awaited: a request answered here may be followed at once by the same lookup on another replica.
  await finishLease(tier, taskId, token, entry, forPoll);
  return answer(entry);
}

/** A stored answer, when it opens and has the model's shape; null (dropped, counted) otherwise. */
function opened<T>(tier: Tier<T>, taskId: string, stored: unknown): SharedEntry<T> | null {
  const { options } = tier;
  const text = typeof stored === 'string' ? options.seal.open(options.keys.task(taskId), stored) : null;
  const decoded = text === null ? 'signature' : decodeEntry(text, options.provider, options.accepts);
  if (typeof decoded !== 'string') return decoded;
  options.onValueDropped?.(typeof stored === 'string' ? decoded : 'undecodable');
  return null;
}

/** A running task's stored answer's age by Redis's clock (what it was kept for, less what is left); undefined for any other entry. */
function ageMs<T extends { readonly terminal: boolean }>(entry: SharedEntry<T>, pttl: unknown): number | undefined {
  if (!entry.ok || entry.value.terminal || entry.keptForMs === undefined) return undefined;
  return typeof pttl === 'number' && pttl >= 0 ? entry.keptForMs - pttl : undefined;
}

/** A running task's answer stored to be kept past its TTL (read for a poll). */
function retained<T extends { readonly terminal: boolean }>(tier: Tier<T>, entry: SharedEntry<T>): boolean {
  if (!entry.ok || entry.value.terminal || entry.keptForMs === undefined) return false;
  return entry.keptForMs > cachePolicy(entry.value, tier.options.ttls).ttlMs;
}

/** How long a running task's stored answer has left of its TTL (0 or less: past it); undefined for any other entry. */
function freshLeftMs<T extends { readonly terminal: boolean }>(
  tier: Tier<T>,
  entry: SharedEntry<T>,
  pttl: unknown,
): number | undefined {
  const age = ageMs(entry, pttl);
  return age === undefined || !entry.ok ? undefined : cachePolicy(entry.value, tier.options.ttls).ttlMs - age;
}

/** Within its TTL, or, for a refresh, stored since the replica's last read of the task (`maxAgeMs`). */
function usable<T extends { readonly terminal: boolean }>(
  tier: Tier<T>,
  entry: SharedEntry<T>,
  pttl: unknown,
  call: TaskCall | undefined,
): boolean {
  const left = freshLeftMs(tier, entry, pttl);
  if (left === undefined || left > 0) return true;
  const age = ageMs(entry, pttl);
  return call?.priority === 'refresh' && call.maxAgeMs !== undefined && age !== undefined && age < call.maxAgeMs;
}

/** Served from Redis: counted, and kept locally no longer than it had left there, nor past its TTL. */
function served<T extends { readonly terminal: boolean }>(
  tier: Tier<T>,
  entry: SharedEntry<T>,
  pttl: unknown,
  call: TaskCall | undefined,
): T {
  tier.events.onSharedCacheHit(tier.options.provider);
  if (call?.tally) call.tally.sharedCacheHits = (call.tally.sharedCacheHits ?? 0) + 1;
  let left = typeof pttl === 'number' && pttl > 0 ? pttl : undefined;
  const fresh = freshLeftMs(tier, entry, pttl);
  if (fresh !== undefined) left = Math.max(0, Math.min(left ?? Infinity, fresh));
  if (left !== undefined) tier.remaining.set(entry.ok ? (entry.value as object) : entry.error, left);
  return answer(entry);
}

/** Redis takes no writes: its answer when it has one fit for this lookup, else the source, with no lease to take or wait for. */
async function readOnly<T extends { readonly terminal: boolean }>(
  tier: Tier<T>,
  taskId: string,
  call: TaskCall | undefined,
): Promise<T> {
  const reply = await tier.options.link.read(READ_SCRIPT, [tier.options.keys.task(taskId)], []);
  if (Array.isArray(reply) && reply[0] === 'hit') {
    const entry = opened(tier, taskId, reply[1]);
    if (entry !== null && usable(tier, entry, reply[2], call)) return served(tier, entry, reply[2], call);
  }
  return tier.source(taskId, call);
}

/** Throws when the caller has gone away or the lookup's deadline has passed. */
function checkStillWanted<T>(tier: Tier<T>, call: TaskCall | undefined, deadline: number): void {
  const { provider, clock } = tier.options;
  if (call?.signal?.aborted) throw aborted(provider);
  if (clock.now() >= deadline) {
    tier.events.onDeadlineExceeded(provider);
    throw new DeadlineExceededError(provider);
  }
}

/** Counts a lookup that waits for another replica's lease (once per lookup). */
function countSharedWait<T>(tier: Tier<T>, call: TaskCall | undefined): void {
  tier.events.onSharedInFlight(tier.options.provider);
  if (call?.tally) call.tally.sharedInFlight = (call.tally.sharedInFlight ?? 0) + 1;
}

/** One lookup: a stored answer, this replica's lease, or a wait for another's, then ask again. */
async function lookup<T extends { readonly terminal: boolean }>(
  tier: Tier<T>,
  taskId: string,
  call: TaskCall | undefined,
): Promise<T> {
  const { options, source } = tier;
  const { link, keys, clock } = options;
  const deadline = call?.deadline ?? clock.now() + options.defaultDeadlineMs;
  let waited = false;
  let discarded = false;
  // An answer too old for this lookup: the script passes it by, so this lookup takes the lease or waits for its holder's.
  let passBy = '';
  let passedRetained = false;
  for (;;) {
    checkStillWanted(tier, call, deadline);
    if (link.state() === 'degraded') return readOnly(tier, taskId, call);
    const token = options.token();
    const watcher = watch(tier, taskId);
    const reply = await link.eval(
      LOOKUP_SCRIPT,
      [keys.task(taskId), keys.lease(taskId)],
      [token, options.leaseMs, passBy],
    );
    if (reply === UNAVAILABLE || !Array.isArray(reply)) {
      watcher.cancel();
      return source(taskId, call);
    }
    const [what, first, second] = reply as unknown[];
    if (what === 'hit') {
      watcher.cancel();
      const entry = opened(tier, taskId, first);
      if (entry !== null && usable(tier, entry, second, call)) return served(tier, entry, second, call);
      if (entry !== null && typeof first === 'string') {
        passBy = first;
        passedRetained = retained(tier, entry);
        continue;
      }
      // Not an answer this deployment wrote: removed, then asked again, so the lease holder's
      // answer replaces it. Once only: an entry rewritten at once again is simply passed by.
      if (discarded || typeof first !== 'string') return source(taskId, call);
      discarded = true;
      await link.eval(DISCARD_SCRIPT, [keys.task(taskId)], [first]);
      continue;
    }
    if (what === 'lease') {
      watcher.cancel();
      return hold(tier, taskId, token, call, passedRetained);
    }
    if (!waited) {
      waited = true;
      countSharedWait(tier, call);
    }
    const leaseLeftMs = typeof first === 'number' && first > 0 ? first : 0;
    await watcher.until(Math.min(leaseLeftMs + LEASE_EXPIRY_SLACK_MS, deadline - clock.now()), call?.signal);
  }
}
