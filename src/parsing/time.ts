/**
 * Provider timestamps -> RFC 3339, UTC, whole seconds (`2025-05-16T07:44:26Z`). Fractions are
 * truncated; no zone means UTC; `T`, `t` or a space, optional seconds and offsets `Z`, `+08:00`,
 * `+0800`, `+08` are accepted; impossible dates, leap second 60, years outside 0000-9999,
 * date-only strings and numbers give null. A valid `Date` is accepted as is.
 */

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Longer than any legal form with a generous fraction; keeps the regex work bounded. */
const MAX_LENGTH = 64;

/** Epoch seconds (whole, truncated) of a provider timestamp, or null. */
export function toEpochSeconds(input: unknown): number | null {
  const ms = toEpochMillis(input);
  return ms === null ? null : Math.floor(ms / 1000);
}

export function toRfc3339Seconds(input: unknown): string | null {
  const seconds = toEpochSeconds(input);
  if (seconds === null) return null;
  // Only years 0000-9999 reach here, for which toISOString has the 4-digit form.
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * finish - create in whole seconds, computed on the truncated values so it
 * equals the difference of the two times shown to the client.
 * Null when either is missing or unparseable, and when finish is before
 * create: a negative duration is a provider data/clock error, and null ("not
 * known") is honest where a negative number would be read as a real value.
 */
export function durationSeconds(create: unknown, finish: unknown): number | null {
  const start = toEpochSeconds(create);
  const end = toEpochSeconds(finish);
  if (start === null || end === null) return null;
  const duration = end - start;
  return duration >= 0 ? duration : null;
}

function toEpochMillis(input: unknown): number | null {
  if (input instanceof Date) {
    const ms = input.getTime();
    return inRange(ms) ? ms : null;
  }
  if (typeof input !== 'string' || input.length > MAX_LENGTH) return null;
  const m = ISO_DATE_TIME.exec(input.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;

  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null; // Feb 30 rolled over
  date.setUTCHours(hour, minute, second, 0);

  let offsetMinutes = 0;
  if (z === undefined && sign !== undefined) {
    const offsetHours = Number(oh);
    const offsetMins = om === undefined ? 0 : Number(om);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const ms = date.getTime() - offsetMinutes * 60_000;
  return inRange(ms) ? ms : null;
}

const YEAR_0 = (() => {
  const d = new Date(0);
  d.setUTCFullYear(0, 0, 1);
  return d.getTime();
})();
const YEAR_10000 = (() => {
  const d = new Date(0);
  d.setUTCFullYear(10000, 0, 1);
  return d.getTime();
})();

function inRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= YEAR_0 && ms < YEAR_10000;
}
