import { NONCE_WINDOW_MS, NonceLedger } from '../../src/emulator/nonce-ledger.js';

const T0 = 1_700_000_000_000;

describe('nonce ledger', () => {
  it('refuses a nonce again while its request could still pass the date check, then forgets it', () => {
    const ledger = new NonceLedger();
    ledger.remember('key', 'n1', T0);
    expect(ledger.has('key', 'n1', T0 + NONCE_WINDOW_MS)).toBe(true);
    expect(ledger.has('other-key', 'n1', T0)).toBe(false);
    expect(ledger.has('key', 'n1', T0 + NONCE_WINDOW_MS + 1)).toBe(false);
    expect(ledger.size).toBe(0);
  });

  it('never refuses a nonce whose window closed, even one dated out of order behind a later one', () => {
    const ledger = new NonceLedger();
    ledger.remember('key', 'later', T0 + 60_000);
    ledger.remember('key', 'earlier', T0);
    const now = T0 + NONCE_WINDOW_MS + 1;
    expect(ledger.has('key', 'earlier', now)).toBe(false);
    expect(ledger.has('key', 'later', now)).toBe(true);
  });

  it('drops expired nonces from the front as time passes, so it holds one window of requests', () => {
    const ledger = new NonceLedger();
    for (let second = 0; second < 3_600; second += 1) {
      const now = T0 + second * 1_000;
      ledger.has('key', `n${second}`, now);
      ledger.remember('key', `n${second}`, now);
    }
    expect(ledger.size).toBe(NONCE_WINDOW_MS / 1_000 + 1);
  });

  it('holds at most maxEntries, the oldest out first', () => {
    const ledger = new NonceLedger(3);
    for (const nonce of ['a', 'b', 'c', 'd']) ledger.remember('key', nonce, T0);
    expect(ledger.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((nonce) => ledger.has('key', nonce, T0))).toEqual([false, true, true, true]);
  });
});
