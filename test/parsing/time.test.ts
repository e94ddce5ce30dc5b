import { durationSeconds, toEpochSeconds, toRfc3339Seconds } from '../../src/parsing/time.js';

describe('toRfc3339Seconds', () => {
  it.each([
    ['2025-05-16T07:44:26Z', '2025-05-16T07:44:26Z'],
    ['2025-05-16t07:44:26z', '2025-05-16T07:44:26Z'],
    ['2025-05-16 07:44:26Z', '2025-05-16T07:44:26Z'],
    ['  2025-05-16T07:44:26Z\n', '2025-05-16T07:44:26Z'],
    ['2025-05-16T07:44:26', '2025-05-16T07:44:26Z'],
    ['2025-05-16T07:44Z', '2025-05-16T07:44:00Z'],
  ])('normalises %p', (input, expected) => {
    expect(toRfc3339Seconds(input)).toBe(expected);
  });

  it.each([
    ['2025-05-16T07:44:26.1Z', '2025-05-16T07:44:26Z'],
    ['2025-05-16T07:44:26.999Z', '2025-05-16T07:44:26Z'],
    ['2025-05-16T07:44:26.123456789Z', '2025-05-16T07:44:26Z'],
    ['2025-05-16T07:44:26,5Z', '2025-05-16T07:44:26Z'],
    ['2025-12-31T23:59:59.999999Z', '2025-12-31T23:59:59Z'],
  ])('truncates the fraction of %p', (input, expected) => {
    expect(toRfc3339Seconds(input)).toBe(expected);
  });

  it.each([
    ['2025-05-16T15:44:26+08:00', '2025-05-16T07:44:26Z'],
    ['2025-05-16T15:44:26.5+08:00', '2025-05-16T07:44:26Z'],
    ['2025-05-16T15:44:26+0800', '2025-05-16T07:44:26Z'],
    ['2025-05-16T15:44:26+08', '2025-05-16T07:44:26Z'],
    ['2025-05-16T02:14:26-05:30', '2025-05-16T07:44:26Z'],
    ['2025-05-16T07:44:26-00:00', '2025-05-16T07:44:26Z'],
    ['2026-01-01T01:00:00+02:00', '2025-12-31T23:00:00Z'],
    ['2024-02-28T23:30:00-01:00', '2024-02-29T00:30:00Z'],
  ])('converts the offset of %p to UTC', (input, expected) => {
    expect(toRfc3339Seconds(input)).toBe(expected);
  });

  it('keeps years below 100 as written (no 19xx mapping)', () => {
    expect(toRfc3339Seconds('0099-03-01T00:00:00Z')).toBe('0099-03-01T00:00:00Z');
    expect(toRfc3339Seconds('0000-01-01T00:00:00Z')).toBe('0000-01-01T00:00:00Z');
  });

  it.each([
    ['empty', ''],
    ['garbage', 'yesterday'],
    ['date only', '2025-05-16'],
    ['month 13', '2025-13-01T00:00:00Z'],
    ['Feb 30', '2025-02-30T00:00:00Z'],
    ['Feb 29 in a common year', '2025-02-29T00:00:00Z'],
    ['hour 24', '2025-05-16T24:00:00Z'],
    ['minute 60', '2025-05-16T07:60:00Z'],
    ['leap second', '2016-12-31T23:59:60Z'],
    ['offset hour 24', '2025-05-16T07:44:26+24:00'],
    ['offset minute 60', '2025-05-16T07:44:26+01:60'],
    ['two-digit year', '25-05-16T07:44:26Z'],
    ['trailing text', '2025-05-16T07:44:26Zfoo'],
    ['year before 0000 after offset', '0000-01-01T00:00:00+01:00'],
    ['year after 9999 after offset', '9999-12-31T23:59:59-01:00'],
    ['very long', `2025-05-16T07:44:26.${'1'.repeat(100)}Z`],
  ])('rejects %s', (_label, input) => {
    expect(toRfc3339Seconds(input)).toBeNull();
  });

  it.each([null, undefined, 1747381466, 1747381466000, {}, [], true, new Date(Number.NaN)])(
    'rejects the non-string %p',
    (input) => {
      expect(toRfc3339Seconds(input)).toBeNull();
    },
  );

  it('accepts a valid Date', () => {
    expect(toRfc3339Seconds(new Date(Date.UTC(2025, 4, 16, 7, 44, 26, 900)))).toBe('2025-05-16T07:44:26Z');
  });

  it('is idempotent', () => {
    const once = toRfc3339Seconds('2025-05-16T15:44:26.75+08:00');
    expect(toRfc3339Seconds(once)).toBe(once);
  });
});

describe('durationSeconds', () => {
  it('is finish minus create in seconds (the Tencent doc example: 4 s)', () => {
    expect(durationSeconds('2025-05-16T07:44:26Z', '2025-05-16T07:44:30Z')).toBe(4);
  });

  it('spans days (the Alibaba doc example)', () => {
    expect(durationSeconds('2025-07-28T02:17:26Z', '2025-08-19T02:28:22Z')).toBe(22 * 86400 + 11 * 60 - 4);
  });

  it('works across offsets and equals the difference of the displayed times', () => {
    expect(durationSeconds('2025-05-16T15:44:26+08:00', '2025-05-16T07:44:30Z')).toBe(4);
    expect(durationSeconds('2025-05-16T07:44:26.900Z', '2025-05-16T07:44:27.100Z')).toBe(1);
  });

  it('is 0 for equal times', () => {
    expect(durationSeconds('2025-05-16T07:44:26Z', '2025-05-16T07:44:26.5Z')).toBe(0);
  });

  it('is null when finish is before create', () => {
    expect(durationSeconds('2025-05-16T07:44:30Z', '2025-05-16T07:44:26Z')).toBeNull();
  });

  it('is null when either side is missing or unparseable', () => {
    expect(durationSeconds(null, '2025-05-16T07:44:30Z')).toBeNull();
    expect(durationSeconds('2025-05-16T07:44:26Z', undefined)).toBeNull();
    expect(durationSeconds('2025-05-16T07:44:26Z', 'soon')).toBeNull();
    expect(durationSeconds(undefined, undefined)).toBeNull();
  });
});

describe('toEpochSeconds', () => {
  it('returns whole seconds', () => {
    expect(toEpochSeconds('1970-01-01T00:00:01.999Z')).toBe(1);
    expect(toEpochSeconds('1969-12-31T23:59:59.5Z')).toBe(-1);
  });
});
