/**
 * One provider's credential, refreshed before it expires. Lookups ask `current()` right
 * before they sign; the holder never runs a timer, so a refresh happens when a lookup
 * (or the readiness probe) finds the credential due. The vendors' packages race, cache
 * failures for good and compare margins in the wrong unit: docs/credentials.md.
 */
import { ProviderError, type ProviderName } from '../errors.js';
import { CredentialSourceError, type CredentialSource, type IssuedCredential } from './source.js';

/** Refresh when less than a third of the lifetime, or five minutes, is left, whichever is shorter. */
export const MAX_REFRESH_MARGIN_MS = 5 * 60_000;

export interface RefreshOutcome {
  readonly provider: ProviderName;
  readonly source: string;
  readonly outcome: 'success' | 'failure';
  /** Of the credential now held, when it expires. */
  readonly expiresAtMs: number | null;
  /** Failures only: why, without any secret. */
  readonly reason?: string;
  /** Whether this was the first credential the holder obtained. */
  readonly first: boolean;
}

export interface CredentialHolderOptions<C> {
  readonly provider: ProviderName;
  readonly source: CredentialSource<C>;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random?: () => number;
  /** Between failed refreshes: doubling from `baseMs` up to `maxMs` (also capped at a sixth of the lifetime). */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly onRefresh?: (outcome: RefreshOutcome) => void;
}

export interface CredentialState {
  readonly source: string;
  readonly ready: boolean;
  readonly expiresAtMs: number | null;
  readonly lastFailure: string | null;
}

export interface CredentialHolder<C> {
  readonly source: string;
  /** The source's identity (see CredentialSource.identity). */
  readonly identity: string;
  /** The credential to sign with now; refreshes first only when none is valid. Rejects with an AUTH_FAILED ProviderError. */
  current(): Promise<C>;
  /**
   * The provider refused `used` as expired or invalid: one refresh (shared by every caller that
   * saw the same credential refused), then the credential to retry with, or null when there is no other.
   */
  replace(used: C): Promise<C | null>;
  /** Whether a valid credential is held; when none is and no attempt is due to wait, starts one. */
  isReady(): boolean;
  state(): CredentialState;
}

interface Held<C> {
  readonly issued: IssuedCredential<C>;
  /** When to fetch again: inside the margin before expiry, or the source's own recheck time. */
  readonly refreshAtMs: number;
  readonly lifetimeMs: number | null;
}

const DEFAULT_BACKOFF = { baseMs: 1_000, maxMs: 30_000 };

export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(lifetimeMs / 3, MAX_REFRESH_MARGIN_MS);
}

/** What a holder knows between calls; the helpers below read and update it. */
interface HolderState<C> {
  held: Held<C> | null;
  inflight: Promise<Held<C>> | null;
  failures: number;
  nextAttemptAtMs: number;
  lastFailure: string | null;
  // Set when the provider refused the held credential: it is no longer worth signing with.
  refused: C | null;
}

export function createCredentialHolder<C>(options: CredentialHolderOptions<C>): CredentialHolder<C> {
  const { source, now } = options;
  const s: HolderState<C> = {
    held: null,
    inflight: null,
    failures: 0,
    nextAttemptAtMs: 0,
    lastFailure: null,
    refused: null,
  };
  const valid = (at: number): boolean => isValid(s, at);
  const refresh = (): Promise<Held<C>> => startRefresh(options, s);
  /** A refresh in the background while the held credential is still good: its failure only schedules the next try. */
  const refreshQuietly = (): void => void refresh().catch(() => undefined);
  const due = (at: number): boolean => s.inflight === null && at >= s.nextAttemptAtMs;

  async function current(): Promise<C> {
    const at = now();
    if (s.held !== null && valid(at)) {
      if (at >= s.held.refreshAtMs && due(at)) refreshQuietly();
      return s.held.issued.value;
    }
    if (s.inflight) return (await s.inflight).issued.value;
    if (at < s.nextAttemptAtMs) throw unavailable(options, s.lastFailure ?? 'the last refresh failed');
    return (await refresh()).issued.value;
  }

  return {
    source: source.name,
    identity: source.identity,
    current,

    async replace(used) {
      const at = now();
      // Another lookup already replaced it: retry with the one held now (or the refresh it needs).
      if (s.held !== null && s.held.issued.value !== used)
        return valid(at) ? s.held.issued.value : current().catch(() => null);
      s.refused = used;
      if (s.inflight === null && at < s.nextAttemptAtMs) return null;
      try {
        const next = await refresh();
        return sameCredential(next.issued.value, used) ? null : next.issued.value;
      } catch {
        return null;
      }
    },

    isReady() {
      const at = now();
      if (valid(at)) return true;
      if (due(at)) refreshQuietly();
      return false;
    },

    state() {
      return {
        source: source.name,
        ready: valid(now()),
        expiresAtMs: s.held?.issued.expiresAtMs ?? null,
        lastFailure: s.lastFailure,
      };
    },
  };
}

function isValid<C>(s: HolderState<C>, at: number): boolean {
  const h = s.held;
  return (
    h !== null && h.issued.value !== s.refused && (h.issued.expiresAtMs === undefined || at < h.issued.expiresAtMs)
  );
}

function unavailable<C>(options: CredentialHolderOptions<C>, reason: string): ProviderError {
  return new ProviderError({
    provider: options.provider,
    kind: 'AUTH_FAILED',
    message: `${options.provider} has no valid credential from ${options.source.name}: ${reason}`,
    retryable: false,
  });
}

/** One refresh at a time: a caller that finds one running shares it. */
function startRefresh<C>(options: CredentialHolderOptions<C>, s: HolderState<C>): Promise<Held<C>> {
  s.inflight ??= (async () => {
    const first = s.held === null;
    try {
      // A turn first, so `inflight` is set before the `finally` below clears it, even when fetch throws at once.
      await undefined;
      const next = heldFrom(await options.source.fetch(), options.now());
      s.held = next;
      s.refused = null;
      s.failures = 0;
      s.nextAttemptAtMs = 0;
      s.lastFailure = null;
      report(options, 'success', next.issued.expiresAtMs ?? null, first);
      return next;
    } catch (error) {
      const reason = safeReason(error);
      s.failures += 1;
      s.lastFailure = reason;
      const delay = retryDelayMs(options, s);
      s.nextAttemptAtMs = options.now() + delay;
      report(options, 'failure', s.held?.issued.expiresAtMs ?? null, first, reason);
      throw unavailable(options, reason);
    } finally {
      s.inflight = null;
    }
  })();
  return s.inflight;
}

/** The credential as held, with its refresh time; one already expired is a failure. */
function heldFrom<C>(issued: IssuedCredential<C>, at: number): Held<C> {
  if (issued.expiresAtMs !== undefined && issued.expiresAtMs <= at) {
    throw new CredentialSourceError(
      `the credential issued expires at ${new Date(issued.expiresAtMs).toISOString()}, already past`,
    );
  }
  const lifetimeMs = issued.expiresAtMs === undefined ? null : issued.expiresAtMs - at;
  const refreshAtMs =
    lifetimeMs !== null && issued.expiresAtMs !== undefined
      ? issued.expiresAtMs - refreshMarginMs(lifetimeMs)
      : (issued.recheckAtMs ?? Infinity);
  return { issued, refreshAtMs, lifetimeMs };
}

/** Doubling backoff with jitter, capped by `backoff.maxMs` and a sixth of the held credential's lifetime. */
function retryDelayMs<C>(options: CredentialHolderOptions<C>, s: HolderState<C>): number {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const lifetimeCap = s.held?.lifetimeMs != null ? s.held.lifetimeMs / 6 : Infinity;
  const cap = Math.min(backoff.maxMs, lifetimeCap);
  return Math.min(cap, backoff.baseMs * 2 ** (s.failures - 1)) * (0.5 + 0.5 * random());
}

function report<C>(
  options: CredentialHolderOptions<C>,
  outcome: RefreshOutcome['outcome'],
  expiresAtMs: number | null,
  first: boolean,
  reason?: string,
): void {
  options.onRefresh?.({
    provider: options.provider,
    source: options.source.name,
    outcome,
    expiresAtMs,
    ...(reason !== undefined && { reason }),
    first,
  });
}

/** A source that hands back the same values (static keys) has nothing better to offer after a refusal. */
function sameCredential<C>(a: C, b: C): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Only our own messages are known to carry no secret; anything else is named by its kind. */
function safeReason(error: unknown): string {
  if (error instanceof CredentialSourceError) return error.message;
  if (error instanceof ProviderError) return error.message;
  return `unexpected ${error instanceof Error ? error.name : typeof error}`;
}
