/** The MAC over stored values: what opens, and every way an entry can fail to. */
import { valueSeal } from '../../src/upstream/shared/seal.js';

const KEY = 'a-value-key-of-thirty-two-chars!';
const TEXT = JSON.stringify({
  ok: true,
  value: { taskId: 't-1', signedUrl: 'https://bucket.cos.example/out.jpg?sign=abc' },
});

describe('value seal', () => {
  it('opens what it sealed under the same Redis key', () => {
    const seal = valueSeal(KEY);
    expect(seal.sealed).toBe(true);
    const stored = seal.seal('p:task:t-1', TEXT);
    expect(stored).not.toBe(TEXT);
    expect(stored).not.toContain(KEY);
    expect(seal.open('p:task:t-1', stored)).toBe(TEXT);
  });

  it('refuses a rewritten value, a value moved under another key, a plain value and a value sealed with another key', () => {
    const seal = valueSeal(KEY);
    const stored = seal.seal('p:task:t-1', TEXT);
    expect(seal.open('p:task:t-1', stored.replace('bucket.cos.example', 'attacker.example'))).toBeNull();
    expect(seal.open('p:task:t-2', stored)).toBeNull();
    expect(seal.open('p:task:t-1', TEXT)).toBeNull();
    expect(seal.open('p:task:t-1', valueSeal('another-key-of-thirty-two-chars!!').seal('p:task:t-1', TEXT))).toBeNull();
    for (const broken of [
      '',
      'h1.',
      `h1.${'A'.repeat(43)}`,
      `h1.${'A'.repeat(42)}.${TEXT}`,
      `h1.${'!'.repeat(43)}.${TEXT}`,
    ])
      expect(seal.open('p:task:t-1', broken)).toBeNull();
  });

  it('stores and reads plain text when no key is set', () => {
    const seal = valueSeal(null);
    expect(seal.sealed).toBe(false);
    expect(seal.seal('p:task:t-1', TEXT)).toBe(TEXT);
    expect(seal.open('p:task:t-1', TEXT)).toBe(TEXT);
  });
});
