/**
 * How long a shared cache may reuse a response, read from its own headers the way an
 * HTTP cache does (RFC 9111): Apollo Server already sets `Cache-Control: max-age=N,
 * public` only on answers whose every field allows caching and that carry no errors,
 * so the headers are the whole policy and nothing GraphQL-specific is decided here.
 */

export interface Freshness {
  /** Seconds the response may be reused from when it was generated. */
  readonly maxAgeSeconds: number;
  /** Seconds it was already old when stored (its `Age` header, e.g. from Apollo's response cache). */
  readonly ageSeconds: number;
}

type HeaderValue = string | number | readonly string[] | undefined;

function text(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** Lower-case directive name → value (`''` for a bare directive); the first occurrence wins. */
export function cacheControlDirectives(header: string): Map<string, string> {
  const directives = new Map<string, string>();
  for (const part of header.split(',')) {
    const [rawName = '', ...rest] = part.split('=');
    const name = rawName.trim().toLowerCase();
    if (name === '' || directives.has(name)) continue;
    directives.set(
      name,
      rest
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  return directives;
}

/**
 * The freshness of a response a shared cache may store, or null: only a 200 whose
 * Cache-Control grants a positive max-age (s-maxage first) and says neither private,
 * no-store nor no-cache, and that sets no cookie. A response already older than its
 * max-age is not fresh.
 */
export function sharedFreshness(status: number, headers: Readonly<Record<string, HeaderValue>>): Freshness | null {
  if (status !== 200 || headers['set-cookie'] !== undefined) return null;
  const cacheControl = text(headers['cache-control']);
  if (cacheControl === undefined) return null;
  const directives = cacheControlDirectives(cacheControl);
  if (directives.has('private') || directives.has('no-store') || directives.has('no-cache')) return null;
  const maxAgeSeconds = seconds(directives.get('s-maxage')) ?? seconds(directives.get('max-age'));
  if (maxAgeSeconds === undefined || maxAgeSeconds <= 0) return null;
  const ageSeconds = seconds(text(headers['age'])) ?? 0;
  return ageSeconds < maxAgeSeconds ? { maxAgeSeconds, ageSeconds } : null;
}
