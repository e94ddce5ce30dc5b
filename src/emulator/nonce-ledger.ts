/**
 * Alibaba's anti-replay rule: a signature nonce may be used once per AccessKey while its request
 * could still pass the 15-minute x-acs-date check. Bounded twice (expired entries dropped from the
 * oldest end, and at most `maxEntries`), amortised O(1) per request; `has` checks the expiry itself,
 * so a nonce whose window has closed is never refused. Why: docs/architecture.md, "The emulator".
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
