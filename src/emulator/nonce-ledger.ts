/**
 * Alibaba's anti-replay rule: a signature nonce may be used once per AccessKey while
 * the request that used it could still pass the 15-minute x-acs-date check. After that
 * the entry is forgotten, because a replay that old fails the timestamp check anyway.
 */
export const NONCE_WINDOW_MS = 15 * 60 * 1000;

export class NonceLedger {
  /** key -> epoch ms after which the original request's x-acs-date is out of the window. */
  private readonly seen = new Map<string, number>();

  has(accessKeyId: string, nonce: string, nowMs: number): boolean {
    for (const [entry, expiresAt] of this.seen) if (expiresAt < nowMs) this.seen.delete(entry);
    return this.seen.has(key(accessKeyId, nonce));
  }

  remember(accessKeyId: string, nonce: string, requestDateMs: number): void {
    this.seen.set(key(accessKeyId, nonce), requestDateMs + NONCE_WINDOW_MS);
  }
}

function key(accessKeyId: string, nonce: string): string {
  return `${accessKeyId}\n${nonce}`;
}
