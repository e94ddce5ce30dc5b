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

export function createCredentialHolder<C>(options: CredentialHolderOptions<C>): CredentialHolder<C> {
  const { provider, source, now } = options;
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  let held: Held<C> | null = null;
  let inflight: Promise<Held<C>> | null = null;
  let failures = 0;
  let nextAttemptAtMs = 0;
  let lastFailure: string | null = null;
  // Set when the provider refused the held credential: it is no longer worth signing with.
  let refused: C | null = null;

  const isValid = (h: Held<C> | null, at: number): h is Held<C> =>
    h !== null && h.issued.value !== refused && (h.issued.expiresAtMs === undefined || at < h.issued.expiresAtMs);

  const unavailable = (reason: string): ProviderError =>
    new ProviderError({
      provider,
      kind: 'AUTH_FAILED',
      message: `${provider} has no valid credential from ${source.name}: ${reason}`,
      retryable: false,
    });

  function refresh(): Promise<Held<C>> {
    inflight ??= (async () => {
      const first = held === null;
      try {
        // A turn first, so `inflight` is set before the `finally` below clears it, even when fetch throws at once.
        await undefined;
        const issued = await source.fetch();
        const at = now();
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
        const next: Held<C> = { issued, refreshAtMs, lifetimeMs };
        held = next;
        refused = null;
        failures = 0;
        nextAttemptAtMs = 0;
        lastFailure = null;
        options.onRefresh?.({
          provider,
          source: source.name,
          outcome: 'success',
          expiresAtMs: issued.expiresAtMs ?? null,
          first,
        });
        return next;
      } catch (error) {
        const reason = safeReason(error);
        failures += 1;
        lastFailure = reason;
        const lifetimeCap = held?.lifetimeMs != null ? held.lifetimeMs / 6 : Infinity;
        const cap = Math.min(backoff.maxMs, lifetimeCap);
        const delay = Math.min(cap, backoff.baseMs * 2 ** (failures - 1)) * (0.5 + 0.5 * random());
        nextAttemptAtMs = now() + delay;
        options.onRefresh?.({
          provider,
          source: source.name,
          outcome: 'failure',
          expiresAtMs: held?.issued.expiresAtMs ?? null,
          reason,
          first,
        });
        throw unavailable(reason);
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  }

  /** A refresh in the background while the held credential is still good: its failure only schedules the next try. */
  function refreshQuietly(): void {
    refresh().catch(() => undefined);
  }

  const due = (at: number): boolean => inflight === null && at >= nextAttemptAtMs;

  async function current(): Promise<C> {
    const at = now();
    if (isValid(held, at)) {
      if (at >= held.refreshAtMs && due(at)) refreshQuietly();
      return held.issued.value;
    }
    if (inflight) return (await inflight).issued.value;
    if (at < nextAttemptAtMs) throw unavailable(lastFailure ?? 'the last refresh failed');
    return (await refresh()).issued.value;
  }

  return {
    source: source.name,
    identity: source.identity,
    current,

    async replace(used) {
      const at = now();
      // Another lookup already replaced it: retry with the one held now (or the refresh it needs).
      if (held !== null && held.issued.value !== used)
        return isValid(held, at) ? held.issued.value : current().catch(() => null);
      refused = used;
      if (inflight === null && at < nextAttemptAtMs) return null;
      try {
        const next = await refresh();
        return sameCredential(next.issued.value, used) ? null : next.issued.value;
      } catch {
        return null;
      }
    },

    isReady() {
      const at = now();
      if (isValid(held, at)) return true;
      if (due(at)) refreshQuietly();
      return false;
    },

    state() {
      return {
        source: source.name,
        ready: isValid(held, now()),
        expiresAtMs: held?.issued.expiresAtMs ?? null,
        lastFailure,
      };
    },
  };
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
