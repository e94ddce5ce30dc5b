/**
 * When a signed URL stops working, read from the URL itself (epoch ms), for the forms we
 * recognise; null for any other URL. Pure: no clock, no I/O.
 */

type Params = URLSearchParams;

/** Unix seconds as written in a query parameter, or null. */
function seconds(text: string | null | undefined, radix = 10): number | null {
  if (!text || !(radix === 16 ? /^[0-9a-f]{1,12}$/i : /^\d{1,12}$/).test(text)) return null;
  return parseInt(text, radix) * 1000;
}

/** COS: `q-sign-time=<start>;<end>` (and `q-key-time`, the same pair), unix seconds. */
function cos(params: Params): number | null {
  const ends = ['q-sign-time', 'q-key-time']
    .map((name) => seconds(params.get(name)?.split(';')[1]))
    .filter((end): end is number => end !== null);
  return ends.length > 0 ? Math.min(...ends) : null;
}

/** VOD key hotlink protection: `t=<expiry, hex unix seconds>` beside `sign=`. */
function vod(params: Params): number | null {
  return params.has('sign') ? seconds(params.get('t'), 16) : null;
}

/** `20260504T080000Z`, the SigV4-style date of S3 and OSS v4 presigned URLs. */
function basicIsoDate(text: string | null): number | null {
  const match = text ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text) : null;
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** AWS SigV4 (`X-Amz-Date` + `X-Amz-Expires`) and Alibaba OSS v4 (`x-oss-date` + `x-oss-expires`). */
function sigV4(params: Params, prefix: 'X-Amz-' | 'x-oss-'): number | null {
  const signedAt = basicIsoDate(params.get(`${prefix}${prefix === 'X-Amz-' ? 'Date' : 'date'}`));
  const lifetime = seconds(params.get(`${prefix}${prefix === 'X-Amz-' ? 'Expires' : 'expires'}`));
  return signedAt !== null && lifetime !== null ? signedAt + lifetime : null;
}

/** Alibaba OSS v1: `Expires=<unix seconds>` beside `Signature` or `OSSAccessKeyId`. */
function ossV1(params: Params): number | null {
  return params.has('Signature') || params.has('OSSAccessKeyId') ? seconds(params.get('Expires')) : null;
}

export function signedUrlExpiresAt(url: string | null): number | null {
  if (!url) return null;
  let params: Params;
  try {
    params = new URL(url).searchParams;
  } catch {
    return null;
  }
  for (const read of [cos, vod, (p: Params) => sigV4(p, 'X-Amz-'), (p: Params) => sigV4(p, 'x-oss-'), ossV1]) {
    const expiresAt = read(params);
    if (expiresAt !== null) return expiresAt;
  }
  return null;
}

/** The earliest of several expiries, ignoring the unknown ones; null when none is known. */
export function earliestExpiry(expiries: Iterable<number | null>): number | null {
  let earliest: number | null = null;
  for (const expiresAt of expiries)
    if (expiresAt !== null && (earliest === null || expiresAt < earliest)) earliest = expiresAt;
  return earliest;
}

/** Most values looked at in one answer: a bound on the walk, not a limit anyone meets. */
const WALK_BUDGET = 100_000;

/** The earliest expiry of the signed URLs among a JSON value's strings (e.g. ICE outputs). */
export function earliestUrlExpiryIn(value: unknown): number | null {
  let earliest: number | null = null;
  let budget = WALK_BUDGET;
  const stack: unknown[] = [value];
  while (stack.length > 0 && budget-- > 0) {
    const next = stack.pop();
    if (typeof next === 'string') {
      if (next.startsWith('http')) earliest = earliestExpiry([earliest, signedUrlExpiresAt(next)]);
    } else if (Array.isArray(next)) stack.push(...next);
    else if (next !== null && typeof next === 'object') stack.push(...Object.values(next));
  }
  return earliest;
}
