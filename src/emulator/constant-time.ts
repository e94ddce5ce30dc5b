import { timingSafeEqual } from 'node:crypto';

/**
 * Compares a received signature or token with the expected one without leaking, through
 * timing, how many leading characters matched: the emulator models a server, so it
 * verifies like one.
 */
export function constantTimeEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
