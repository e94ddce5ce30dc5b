/**
 * The refreshing holder with a hand-moved clock and a scripted source: when it refreshes,
 * how many fetches concurrent lookups cause, and what a failed refresh leaves behind.
 */
import { ProviderError } from '../../../src/providers/errors.js';
import {
  createCredentialHolder,
  refreshMarginMs,
  type RefreshOutcome,
} from '../../../src/providers/credentials/holder.js';
import {
  CredentialSourceError,
  staticSource,
  type CredentialSource,
  type IssuedCredential,
} from '../../../src/providers/credentials/source.js';

interface Cred {
  readonly id: string;
  readonly secret: string;
  readonly token: string;
}

const T0 = 1_800_000_000_000;

/** Each fetch issues `cred-<n>` valid `lifetimeMs` from the clock, unless `failing` is set; `gate` holds answers back. */
function scriptedSource(clock: { t: number }, lifetimeMs: number) {
  const state = { fetches: 0, failing: false, gate: null as Promise<void> | null };
  const source: CredentialSource<Cred> = {
    name: 'test-sts',
    identity: 'acs:ram::1:role/test',
    async fetch(): Promise<IssuedCredential<Cred>> {
      state.fetches += 1;
      const n = state.fetches;
      if (state.gate) await state.gate;
      if (state.failing) throw new CredentialSourceError('STS answered HTTP 503');
      return {
        value: { id: `id-${n}`, secret: `secret-${n}`, token: `token-${n}` },
        expiresAtMs: clock.t + lifetimeMs,
      };
    },
  };
  return { source, state };
}

function setup(lifetimeMs: number) {
  const clock = { t: T0 };
  const { source, state } = scriptedSource(clock, lifetimeMs);
  const outcomes: RefreshOutcome[] = [];
  const holder = createCredentialHolder({
    provider: 'alibaba-ice',
    source,
    now: () => clock.t,
    random: () => 0,
    backoff: { baseMs: 1_000, maxMs: 30_000 },
    onRefresh: (outcome) => outcomes.push(outcome),
  });
  return { clock, state, holder, outcomes };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('refresh margin', () => {
  test('is a third of the lifetime, at most five minutes', () => {
    expect(refreshMarginMs(8_000)).toBeCloseTo(8_000 / 3);
    expect(refreshMarginMs(900_000)).toBe(300_000);
    expect(refreshMarginMs(3_600_000)).toBe(300_000);
  });

  test('an 8-second credential is used until a third of it is left, then replaced once', async () => {
    const { clock, state, holder } = setup(8_000);
    expect((await holder.current()).id).toBe('id-1');
    clock.t = T0 + 5_000;
    expect((await holder.current()).id).toBe('id-1');
    expect(state.fetches).toBe(1);
    // Inside the last third: the held one still signs, one refresh starts behind it.
    clock.t = T0 + 5_400;
    expect((await holder.current()).id).toBe('id-1');
    await holder.current();
    await settle();
    expect(state.fetches).toBe(2);
    expect((await holder.current()).id).toBe('id-2');
  });

  test('a 15-minute credential is refreshed with five minutes left, not before', async () => {
    const { clock, state, holder } = setup(900_000);
    await holder.current();
    clock.t = T0 + 599_999;
    await holder.current();
    await settle();
    expect(state.fetches).toBe(1);
    clock.t = T0 + 600_000;
    await holder.current();
    await settle();
    expect(state.fetches).toBe(2);
  });
});

describe('single flight', () => {
  test('concurrent first lookups share one fetch and get the same id, secret and token', async () => {
    const { state, holder } = setup(8_000);
    let open!: () => void;
    state.gate = new Promise<void>((resolve) => (open = resolve));
    const lookups = Array.from({ length: 20 }, () => holder.current());
    await settle();
    open();
    const creds = await Promise.all(lookups);
    expect(state.fetches).toBe(1);
    expect(new Set(creds).size).toBe(1);
    expect(creds[0]).toEqual({ id: 'id-1', secret: 'secret-1', token: 'token-1' });
  });

  test('lookups at the moment of expiry wait for one refresh', async () => {
    const { clock, state, holder } = setup(8_000);
    await holder.current();
    clock.t = T0 + 8_000;
    const creds = await Promise.all(Array.from({ length: 10 }, () => holder.current()));
    expect(state.fetches).toBe(2);
    expect(creds.every((c) => c.id === 'id-2')).toBe(true);
  });
});

describe('failed refreshes', () => {
  test('while the held credential is valid, lookups keep it and refreshes back off', async () => {
    const { clock, state, holder, outcomes } = setup(60_000);
    await holder.current();
    state.failing = true;
    clock.t = T0 + 45_000;
    expect((await holder.current()).id).toBe('id-1');
    await settle();
    expect(state.fetches).toBe(2);
    // Backing off (1 s at zero jitter gives 0.5 s): no fetch per lookup.
    expect((await holder.current()).id).toBe('id-1');
    await settle();
    expect(state.fetches).toBe(2);
    clock.t += 600;
    await holder.current();
    await settle();
    expect(state.fetches).toBe(3);
    // Back: the next due attempt succeeds, nothing of the failures is kept.
    state.failing = false;
    clock.t += 2_000;
    await holder.current();
    await settle();
    expect(state.fetches).toBe(4);
    expect((await holder.current()).id).toBe('id-4');
    expect(holder.state().lastFailure).toBeNull();
    expect(outcomes.map((o) => o.outcome)).toEqual(['success', 'failure', 'failure', 'success']);
  });

  test('expired and unrefreshable: AUTH_FAILED naming the source and the reason, then a later lookup recovers', async () => {
    const { clock, state, holder } = setup(8_000);
    await holder.current();
    state.failing = true;
    clock.t = T0 + 9_000;
    const error = await holder.current().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('AUTH_FAILED');
    expect((error as ProviderError).message).toBe(
      'alibaba-ice has no valid credential from test-sts: STS answered HTTP 503',
    );
    expect(holder.isReady()).toBe(false);
    // The failure is not cached: once the backoff has passed, the next lookup tries again.
    state.failing = false;
    clock.t += 1_000;
    expect((await holder.current()).id).toBe('id-3');
    expect(holder.isReady()).toBe(true);
  });

  test('a first fetch that fails is retried after the backoff, not remembered', async () => {
    const { clock, state, holder } = setup(8_000);
    state.failing = true;
    await expect(holder.current()).rejects.toThrow('from test-sts: STS answered HTTP 503');
    await expect(holder.current()).rejects.toThrow('STS answered HTTP 503');
    expect(state.fetches).toBe(1);
    state.failing = false;
    clock.t += 500;
    expect((await holder.current()).id).toBe('id-2');
  });

  test('a source that throws before its first await is retried later like any failure', async () => {
    let now = T0;
    let calls = 0;
    const holder = createCredentialHolder<Cred>({
      provider: 'tencent-mps',
      source: {
        name: 'sync',
        identity: 'sync',
        fetch: () => {
          calls += 1;
          if (calls === 1) throw new CredentialSourceError('not yet');
          return Promise.resolve({ value: { id: 'id', secret: 's', token: 't' }, expiresAtMs: now + 60_000 });
        },
      },
      now: () => now,
      random: () => 0,
    });
    await expect(holder.current()).rejects.toThrow('not yet');
    now += 1_000;
    expect((await holder.current()).id).toBe('id');
    expect(calls).toBe(2);
  });

  test('an error the source did not write is named by its kind only', async () => {
    const holder = createCredentialHolder<Cred>({
      provider: 'tencent-mps',
      source: { name: 'odd', identity: 'odd', fetch: () => Promise.reject(new TypeError('token=abc123 leaked')) },
      now: () => T0,
    });
    const error = (await holder.current().catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('tencent-mps has no valid credential from odd: unexpected TypeError');
  });
});

describe('replace after a refusal', () => {
  test('concurrent refusals of the same credential cause one refresh and all retry with the new one', async () => {
    const { state, holder } = setup(600_000);
    const used = await holder.current();
    const next = await Promise.all([holder.replace(used), holder.replace(used), holder.replace(used)]);
    expect(state.fetches).toBe(2);
    expect(next.map((c) => c?.id)).toEqual(['id-2', 'id-2', 'id-2']);
    // A refusal of the old one after the replacement changes nothing more.
    expect((await holder.replace(used))?.id).toBe('id-2');
    expect(state.fetches).toBe(2);
  });

  test('a late refusal of a credential already replaced and since expired gets the refresh the held one needs', async () => {
    const { clock, state, holder } = setup(60_000);
    const first = await holder.current();
    await holder.replace(first);
    expect(state.fetches).toBe(2);
    clock.t += 61_000;
    expect((await holder.replace(first))?.id).toBe('id-3');
    expect(state.fetches).toBe(3);
  });

  test('a refused credential whose refresh fails is not signed with again', async () => {
    const { state, holder } = setup(600_000);
    const used = await holder.current();
    state.failing = true;
    expect(await holder.replace(used)).toBeNull();
    await expect(holder.current()).rejects.toThrow('STS answered HTTP 503');
  });

  test('static keys: nothing else to retry with, and they stay in use', async () => {
    const value: Cred = { id: 'AKID', secret: 's', token: 't' };
    let now = T0;
    const holder = createCredentialHolder({
      provider: 'tencent-mps',
      source: staticSource('env', value, value.id),
      now: () => now,
    });
    const used = await holder.current();
    expect(await holder.replace(used)).toBeNull();
    now += 86_400_000;
    expect(await holder.current()).toBe(value);
    expect(holder.state()).toEqual({ source: 'env', ready: true, expiresAtMs: null, lastFailure: null });
  });
});
