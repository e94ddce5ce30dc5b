/**
 * Alibaba's anti-replay rule: a signature nonce may be used once per AccessKey while
 * the request that used it could still pass the 15-minute x-acs-date check. After that
 * the entry is forgotten, because a replay that old fails the timestamp check anyway.
 *
 * Bounded twice, because the emulator also runs inside a dev subgraph and under the
 * bench's load (hundreds of calls a second, so a 15-minute window alone is hundreds of
 * thousands of nonces): expired entries are dropped from the oldest end as new ones
 * arrive, and beyond `maxEntries` the oldest is dropped even if its window is still open.
 * That lets a replay through only when more than `maxEntries` authentic requests came
 * between the two, which no test or client of the emulator does.
 *
 * Both are amortised O(1) per request: a Map iterates in insertion order, and requests
 * mostly arrive in date order, so the expired ones are at the front. One dated out of
 * order may outlive its window there for a while; `has` checks the expiry itself, so it
 * never refuses a nonce whose window has closed.
 */
export const NONCE_WINDOW_MS = 15 * 60 * 1000;
export const DEFAULT_MAX_NONCES = 100_000;

export class NonceLedger {
  /** key -> epoch ms after which the original request's x-acs-date is out of the window. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries: number = DEFAULT_MAX_NONCES) {}

  get size(): number {
    return this.seen.size;
  }

  has(accessKeyId: string, nonce: string, nowMs: number): boolean {
    this.forgetExpired(nowMs);
    const expiresAt = this.seen.get(key(accessKeyId, nonce));
    return expiresAt !== undefined && expiresAt >= nowMs;
  }

  remember(accessKeyId: string, nonce: string, requestDateMs: number): void {
    const entry = key(accessKeyId, nonce);
    this.seen.delete(entry);
    this.seen.set(entry, requestDateMs + NONCE_WINDOW_MS);
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next();
      if (oldest.done) break;
      this.seen.delete(oldest.value);
    }
  }

  private forgetExpired(nowMs: number): void {
    for (const [entry, expiresAt] of this.seen) {
      if (expiresAt >= nowMs) break;
      this.seen.delete(entry);
    }
  }
}

function key(accessKeyId: string, nonce: string): string {
  return `${accessKeyId}\n${nonce}`;
}
