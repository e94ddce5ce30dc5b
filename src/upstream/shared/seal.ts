/**
 * An optional HMAC-SHA256 over each stored answer, keyed by REDIS_VALUE_KEY and computed over the
 * Redis key the answer sits under and its text: an entry rewritten by anyone without the key, or
 * copied under another task's key, does not open. Without a key, text is stored and read as is.
 */ import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ValueSeal {
  /** Whether entries carry a MAC (a value key is set). */
  readonly sealed: boolean;
  /** The text to store under `redisKey`. */
  seal(redisKey: string, text: string): string;
  /** The entry's text, or null when its MAC is missing or wrong. */
  open(redisKey: string, stored: string): string | null;
}

/** Names the format, so a future MAC scheme can be told apart from this one. */
const MARK = 'h1.';
/** SHA-256 in base64url. */
const MAC_CHARS = 43;

export function valueSeal(key: string | null): ValueSeal {
  if (key === null) return { sealed: false, seal: (_redisKey, text) => text, open: (_redisKey, stored) => stored };
  const mac = (redisKey: string, text: string): Buffer =>
    createHmac('sha256', key).update(redisKey).update('\n').update(text).digest();
  return {
    sealed: true,
    seal: (redisKey, text) => `${MARK}${mac(redisKey, text).toString('base64url')}.${text}`,
    open(redisKey, stored) {
      if (!stored.startsWith(MARK) || stored.charAt(MARK.length + MAC_CHARS) !== '.') return null;
      const given = Buffer.from(stored.slice(MARK.length, MARK.length + MAC_CHARS), 'base64url');
      const text = stored.slice(MARK.length + MAC_CHARS + 1);
      const expected = mac(redisKey, text);
      return given.length === expected.length && timingSafeEqual(given, expected) ? text : null;
    },
  };
}
