/**
 * The kinds of value a configuration variable may take. Each builder returns a `Variable`: how
 * to read and check it, and how the generated docs describe its kind, bounds and default.
 */
import type { EnvReader } from './env-reader.js';

/** Groups variables in docs/configuration.md and .env.example, in this order. */
export const SECTIONS = {
  tencent: 'Tencent Cloud MPS (image tasks)',
  alibaba: 'Alibaba Cloud ICE (workflow tasks)',
  process: 'Process',
  exposure: 'What is exposed',
  upstream: 'Provider calls',
  caches: 'Caches',
  redis: 'Several replicas (Redis)',
  tracing: 'OpenTelemetry traces',
  subscriptions: 'Live updates (subscriptions)',
  limits: 'Limits',
  security: 'Security',
  shutdown: 'Shutdown',
} as const;
export type Section = keyof typeof SECTIONS;

/** What a variable takes when it is unset: a value, one derived from another variable, or nothing. */
export type Default<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'derived'; readonly from: string; readonly text: string; readonly derive: (source: never) => T }
  | { readonly kind: 'unset'; readonly text: string };

/** A default computed from another variable's value; `text` is how the docs state it. */
export function derived<S, T>(from: string, text: string, derive: (source: S) => T): Default<T> {
  return { kind: 'derived', from, text, derive };
}

export interface ReadContext {
  readonly read: EnvReader;
  /** Another variable's value (read on first use, so derivations need no particular order). */
  value(name: string): unknown;
}

export interface Variable<T> {
  readonly section: Section;
  /** One line for the docs and .env.example. */
  readonly description: string;
  /** The kind of value and its bounds, as the docs state them. */
  readonly accepts: string;
  readonly default: Default<T>;
  /** Never echoed in an error, and left empty in .env.example. */
  readonly secret: boolean;
  /** Other names read when the variable itself is unset. */
  readonly aliases: readonly string[];
  readonly read: (name: string, context: ReadContext) => T;
  /** How a value is written in the environment, when not as String(value). Method syntax: bivariant, so any Variable fits a table. */
  written?(value: T): string;
}

interface Common {
  readonly section: Section;
  readonly description: string;
}

/** The default a reader falls back to: a value as is, a derivation from its source's value. */
function fallback<T>(value: Default<T>, context: ReadContext): T | undefined {
  if (value.kind === 'value') return value.value;
  if (value.kind === 'unset') return undefined;
  // The source's value has the type `derive` declares: both come from the same table (variables.ts).
  return (value.derive as (source: unknown) => T)(context.value(value.from));
}

function variable<T>(
  common: Common,
  rest: Omit<Variable<T>, keyof Common | 'secret' | 'aliases' | 'written'> &
    Partial<Pick<Variable<T>, 'secret' | 'aliases' | 'written'>>,
): Variable<T> {
  return { secret: false, aliases: [], ...common, ...rest };
}

const value = <T>(v: T): Default<T> => ({ kind: 'value', value: v });
const given = <T>(d: T | Default<T>): Default<T> =>
  typeof d === 'object' && d !== null && 'kind' in d ? d : value(d as T);

/** Decimal digits only, within [min, max]; `atLeast` names a variable it may not be below. */
export function int(
  options: Common & {
    readonly default: number | Default<number>;
    readonly min: number;
    readonly max?: number;
    readonly atLeast?: { readonly variable: string; readonly why?: string };
  },
): Variable<number> {
  const { min, max, atLeast } = options;
  const declared = given(options.default);
  const bounds = max === undefined ? `>= ${min}` : `${min} to ${max}`;
  return variable<number>(options, {
    accepts: `integer, ${bounds}${atLeast ? `, >= ${atLeast.variable}` : ''}`,
    default: declared,
    read: (name, context) => {
      const result = context.read.int(name, fallback(declared, context) ?? min, {
        min,
        ...(max !== undefined && { max }),
      });
      if (atLeast) {
        const floor = context.value(atLeast.variable) as number;
        if (result < floor)
          context.read.fail(
            name,
            `must be at least ${atLeast.variable} (${floor})${atLeast.why ? `: ${atLeast.why}` : ''}`,
          );
      }
      return result;
    },
  });
}

/** A decimal fraction in (0, 1]. */
export function fraction(options: Common & { readonly default: number }): Variable<number> {
  return variable(options, {
    accepts: 'number, > 0 and <= 1',
    default: value(options.default),
    read: (name, context) => context.read.fraction(name, options.default),
  });
}

/** true/false, 1/0, yes/no, on/off. */
export function bool(options: Common & { readonly default: boolean | Default<boolean> }): Variable<boolean> {
  const declared = given(options.default);
  return variable(options, {
    accepts: 'true or false',
    default: declared,
    read: (name, context) => context.read.bool(name, fallback(declared, context) ?? false),
  });
}

/** Exactly `on` or `off`, read as a boolean. */
export function onOff(options: Common & { readonly default: boolean | Default<boolean> }): Variable<boolean> {
  const declared = given(options.default);
  return variable(options, {
    accepts: '`on` or `off`',
    default: declared,
    read: (name, context) =>
      context.read.oneOf(name, ['on', 'off'], fallback(declared, context) ? 'on' : 'off') === 'on',
    written: (on) => (on ? 'on' : 'off'),
  });
}

export function oneOf<T extends string>(
  options: Common & { readonly values: readonly T[]; readonly default: T },
): Variable<T> {
  return variable(options, {
    accepts: `one of ${options.values.map((v) => `\`${v}\``).join(', ')}`,
    default: value(options.default),
    read: (name, context) => context.read.oneOf(name, options.values, options.default),
  });
}

/** Any text, trimmed. */
export function text(options: Common & { readonly default: string }): Variable<string>;
export function text(options: Common & { readonly unset: string }): Variable<string | undefined>;
export function text(options: Common & { readonly derived: Default<string | undefined> }): Variable<string | undefined>;
export function text(
  options: Common & {
    readonly default?: string;
    readonly unset?: string;
    readonly derived?: Default<string | undefined>;
  },
): Variable<string | undefined> {
  const declared: Default<string | undefined> =
    options.derived ??
    (options.default !== undefined ? value(options.default) : { kind: 'unset', text: options.unset ?? 'unset' });
  return variable(options, {
    accepts: 'text',
    default: declared,
    read: (name, context) => context.read.raw(name) ?? fallback(declared, context),
  });
}

/** Text matching `pattern`. */
export function matching(options: Common & { readonly pattern: RegExp; readonly default: string }): Variable<string>;
export function matching(
  options: Common & { readonly pattern: RegExp; readonly unset: string },
): Variable<string | undefined>;
export function matching(
  options: Common & { readonly pattern: RegExp; readonly default?: string; readonly unset?: string },
): Variable<string | undefined> {
  const declared: Default<string | undefined> =
    options.default !== undefined ? value(options.default) : { kind: 'unset', text: options.unset ?? 'unset' };
  return variable(options, {
    accepts: `\`${options.pattern.source}\``,
    default: declared,
    read: (name, context) => context.read.pattern(name, options.pattern, options.default),
  });
}

/** An http(s) origin: no path, query, fragment or user info; read as its origin. */
export function origin(options: Common & { readonly default: string | Default<string> }): Variable<string> {
  const declared = given(options.default);
  return variable(options, {
    accepts: 'http(s) origin',
    default: declared,
    read: (name, context) => context.read.url(name, fallback(declared, context) ?? ''),
  });
}

/** Why an entry of a URL list is not one, or null; never quotes the entry (it could carry credentials). */
function urlListProblem(url: URL | null, shape: 'origin' | 'prefix'): string | null {
  if (url === null) return 'is not an absolute URL';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'is not an http(s) URL';
  if (url.username || url.password) return 'must not contain user info';
  if (url.search || url.hash) return 'must have no query or fragment';
  if (shape === 'origin' && url.pathname !== '/') return 'must be an origin, without a path';
  return null;
}

function parsedUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/**
 * Comma-separated http(s) URLs, each read as its origin (`origin`) or as origin and path
 * (`prefix`); unset or blank: an empty list.
 */
export function urlList(
  options: Common & { readonly shape: 'origin' | 'prefix'; readonly unset: string },
): Variable<readonly string[]> {
  return variable<readonly string[]>(options, {
    accepts:
      options.shape === 'origin'
        ? 'comma-separated http(s) origins'
        : 'comma-separated http(s) URL prefixes (scheme, host, port and path)',
    default: { kind: 'unset', text: options.unset },
    read: (name, context) => {
      const entries = (context.read.raw(name) ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      const values: string[] = [];
      entries.forEach((entry, index) => {
        const url = parsedUrl(entry);
        const problem = urlListProblem(url, options.shape);
        if (problem !== null || url === null)
          context.read.fail(name, `entry ${index + 1} ${problem ?? 'is not a URL'}`);
        else values.push(options.shape === 'origin' ? url.origin : `${url.origin}${url.pathname}`);
      });
      return values;
    },
    written: (values) => values.join(','),
  });
}

/** An http(s) URL, a path allowed; may carry credentials, so a secret as a whole. */
export function httpUrl(options: Common & { readonly unset: string }): Variable<string | null> {
  return variable(options, {
    accepts: 'http(s) URL',
    default: { kind: 'unset', text: options.unset },
    secret: true,
    read: (name, context) => context.read.httpUrl(name),
  });
}

/** A redis:// or rediss:// URL, user and password allowed: a secret as a whole. */
export function redisUrl(options: Common & { readonly unset: string }): Variable<string | null> {
  return variable(options, {
    accepts: '`redis://` or `rediss://` URL',
    default: { kind: 'unset', text: options.unset },
    secret: true,
    read: (name, context) => context.read.redisUrl(name),
  });
}

/** One half of a provider's key pair: both halves or neither. */
export function keyHalf(
  options: Common & { readonly pairedWith: string; readonly unset: string },
): Variable<string | undefined> {
  return variable(options, {
    accepts: `text, with ${options.pairedWith}`,
    default: { kind: 'unset', text: options.unset },
    secret: true,
    read: (name, context) => {
      const own = context.read.raw(name);
      if (own === undefined && context.read.raw(options.pairedWith) !== undefined)
        context.read.fail(name, `is required when ${options.pairedWith} is set`);
      return own;
    },
  });
}

/** One of a group of variables that configure one thing together: all of them or none. */
export function together(options: Common & { readonly group: readonly string[] }): Variable<string | undefined> {
  return variable(options, {
    accepts: `text, with ${options.group.join(', ')}`,
    default: { kind: 'unset', text: 'unset' },
    read: (name, context) => {
      const own = context.read.raw(name);
      const set = options.group.find((other) => other !== name && context.read.raw(other) !== undefined);
      if (own === undefined && set !== undefined) context.read.fail(name, `is required when ${set} is set`);
      return own;
    },
  });
}

/** A host (called over https) or a full http(s) URL, read as the URL to call (ending in `/`). */
export function hostOrUrl(options: Common & { readonly unset: string }): Variable<string | undefined> {
  return variable(options, {
    accepts: 'host name, or http(s) URL',
    default: { kind: 'unset', text: options.unset },
    read: (name, context) => {
      const text = context.read.raw(name);
      if (text === undefined) return undefined;
      const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
      try {
        const url = new URL(candidate);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('protocol');
        if (url.username !== '' || url.password !== '') throw new TypeError('user info');
        return `${url.origin}/`;
      } catch {
        context.read.fail(name, 'must be a host name or an http(s) URL without user info');
        return undefined;
      }
    },
  });
}

/** A session token, meaningful only with the key pair `of` (read as undefined without it). */
export function token(
  options: Common & { readonly of: readonly [string, string]; readonly aliases?: readonly string[] },
): Variable<string | undefined> {
  const aliases = options.aliases ?? [];
  return variable(options, {
    accepts: `text, with ${options.of.join(' and ')}`,
    default: { kind: 'unset', text: 'unset' },
    secret: true,
    aliases,
    read: (name, context) => {
      const used = [name, ...aliases].find((candidate) => context.read.raw(candidate) !== undefined) ?? name;
      const pairPresent = options.of.every((half) => context.read.raw(half) !== undefined);
      return context.read.companion(used, pairPresent, options.of.join(' and '));
    },
  });
}

/** A secret of our own: null when unset, at least `minLength` characters when set. */
export function secret(
  options: Common & { readonly minLength: number; readonly unset: string },
): Variable<string | null> {
  return variable(options, {
    accepts: `text, at least ${options.minLength} characters`,
    default: { kind: 'unset', text: options.unset },
    secret: true,
    read: (name, context) => context.read.secret(name, { minLength: options.minLength }),
  });
}

/** A variable's declared default value, for modules whose own defaults must agree with the table. */
export function literalDefault<T>(of: Variable<T>): T {
  if (of.default.kind !== 'value') throw new Error('this variable has no literal default');
  return of.default.value;
}

/** The value a variable is read as. */
export type ValueOf<V> = V extends Variable<infer T> ? T : never;
