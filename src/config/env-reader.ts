/**
 * Reads and validates single environment variables, collecting every problem so that one
 * start-up reports all of them. Values of URLs and secrets never appear in a message.
 */

export class ConfigError extends Error {
  /** Names of the variables at fault, for tests and structured logs. */
  readonly variables: readonly string[];

  constructor(problems: readonly { readonly variable: string; readonly problem: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
    this.variables = problems.map((p) => p.variable);
  }
}

export type Env = NodeJS.ProcessEnv;

/**
 * Reads and validates variables, recording problems instead of throwing so
 * that `loadConfig` can report all of them. On a problem, readers return the
 * default (or a placeholder) so that loading can continue; the result is
 * discarded because `finish` throws.
 */
export class EnvReader {
  private readonly problems: { variable: string; problem: string }[] = [];

  constructor(private readonly env: Env) {}

  /** Unset and blank are the same thing: compose files and CI often export empty strings. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  fail(variable: string, problem: string): void {
    this.problems.push({ variable, problem });
  }

  /** Decimal digits only: "10ms", "1e3" and "-1" are mistakes, not numbers. */
  int(name: string, fallback: number, range: { readonly min: number; readonly max?: number }): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(value) || value < range.min || value > max) {
      const bounds = range.max === undefined ? `>= ${range.min}` : `between ${range.min} and ${range.max}`;
      this.fail(name, `must be an integer ${bounds} (got ${JSON.stringify(text)})`);
      return fallback;
    }
    return value;
  }

  /** Only the spellings people actually write; anything else is reported, not guessed. */
  bool(name: string, fallback: boolean): boolean {
    const text = this.raw(name)?.toLowerCase();
    if (text === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'off'].includes(text)) return false;
    this.fail(name, `must be true or false (got ${JSON.stringify(text)})`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === text);
    if (match === undefined) {
      this.fail(name, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(text)})`);
      return fallback;
    }
    return match;
  }

  pattern(name: string, re: RegExp, fallback: string | undefined): string | undefined {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (!re.test(text)) {
      this.fail(name, `must match ${re.source} (got ${JSON.stringify(text)})`);
      return fallback;
    }
    return text;
  }

  /**
   * An http(s) origin. Paths, queries and user info are rejected rather than
   * ignored: both signers sign the path `/`, and credentials in a URL would
   * travel in clear. The value is not echoed, since a URL may carry user info.
   */
  url(name: string, fallback: string): string {
    const text = this.raw(name) ?? fallback;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.fail(name, 'must be an absolute http(s) URL');
      return fallback;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.fail(name, 'must be an http(s) URL');
    } else if (url.username || url.password) {
      this.fail(name, 'must not contain user info');
    } else if (url.pathname !== '/' || url.search || url.hash) {
      this.fail(name, 'must be an origin without path, query or fragment');
    } else {
      return url.origin;
    }
    return fallback;
  }

  /**
   * A secret of our own (not a provider's): never echoed, and too short is a mistake worth stopping for.
   * Unlike other variables, set-but-blank is not "unset": `SUBGRAPH_SHARED_SECRET=` from a secret store
   * that came back empty would otherwise switch authentication off without a word.
   */
  secret(name: string, rules: { readonly minLength: number }): string | null {
    const value = this.raw(name);
    if (value === undefined) {
      if (this.env[name] !== undefined)
        this.fail(
          name,
          `is set but empty; it must be at least ${rules.minLength} characters long (unset it to turn the check off)`,
        );
      return null;
    }
    if (value.length < rules.minLength) {
      this.fail(name, `must be at least ${rules.minLength} characters long`);
      return null;
    }
    return value;
  }

  /** A token without the key pair it belongs to is useless and probably a mistake. */
  companion(name: string, pairPresent: boolean, pairNames: string): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && !pairPresent) this.fail(name, `is set but ${pairNames} are not`);
    return pairPresent ? value : undefined;
  }

  /** A decimal fraction in (0, 1]. */
  fraction(name: string, fallback: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
    if (!(value > 0 && value <= 1)) {
      this.fail(name, `must be a number greater than 0 and at most 1 (got ${JSON.stringify(text)})`);
      return fallback;
    }
    return value;
  }

  /**
   * A Redis URL. The value is never echoed, not even in part: it may carry a password.
   */
  redisUrl(name: string): string | null {
    const text = this.raw(name);
    if (text === undefined) return null;
    const url = this.urlOf(
      name,
      text,
      ['redis:', 'rediss:'],
      'must be a redis:// or rediss:// URL',
      'must be a redis:// or rediss:// URL',
    );
    if (url === null) return null;
    if (!url.hostname) {
      this.fail(name, 'must name a host');
      return null;
    }
    const db = url.pathname.replace(/^\//, '');
    if (db !== '' && !/^\d{1,2}$/.test(db)) {
      this.fail(name, 'must have no path other than a database number');
      return null;
    }
    return text;
  }

  /** An http(s) URL that may have a path; never echoed (it may carry credentials). */
  httpUrl(name: string): string | null {
    const text = this.raw(name);
    if (text === undefined) return null;
    return this.urlOf(name, text, ['http:', 'https:'], 'must be an absolute http(s) URL', 'must be an http(s) URL') ===
      null
      ? null
      : text;
  }

  /** Parses `text` as a URL of one of `protocols`, or records why not (never echoing the value). */
  private urlOf(
    name: string,
    text: string,
    protocols: readonly string[],
    notAUrl: string,
    wrongProtocol: string,
  ): URL | null {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.fail(name, notAUrl);
      return null;
    }
    if (!protocols.includes(url.protocol)) {
      this.fail(name, wrongProtocol);
      return null;
    }
    return url;
  }

  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
