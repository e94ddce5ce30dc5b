/**
 * Checks that a value decoded from JSON has a model's exact shape before anything uses it as that
 * model: pure and total (false, never an exception). `object` takes one check per field of T, so
 * a model that gains a field does not compile until its check does too.
 */ import type { JsonValue } from '../../parsing/models.js';

export type Check<T> = (value: unknown) => value is T;

export const string: Check<string> = (value): value is string => typeof value === 'string';
export const number: Check<number> = (value): value is number => typeof value === 'number' && Number.isFinite(value);
export const boolean: Check<boolean> = (value): value is boolean => typeof value === 'boolean';
/** Anything JSON.parse produced is JSON; only absence is not. */
export const json: Check<JsonValue> = (value): value is JsonValue => value !== undefined;

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value): value is T | null => value === null || check(value);
}

export function oneOf<const T extends string>(...values: readonly T[]): Check<T> {
  return (value): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);
}

export function arrayOf<T>(check: Check<T>): Check<readonly T[]> {
  return (value): value is readonly T[] => Array.isArray(value) && value.every((item) => check(item));
}

export const jsonObject: Check<{ [key: string]: JsonValue }> = (value): value is { [key: string]: JsonValue } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One check per field; every field of the models is present (a missing value is null, never absent). */
type Fields<T> = { readonly [K in keyof T]-?: Check<T[K]> };

/** Exactly these fields, each of its check; an unknown field is a shape this version never wrote. */
export function object<T>(fields: Fields<T>): Check<T> {
  const entries = Object.entries(fields) as Array<[string, Check<unknown>]>;
  const known = new Set(entries.map(([key]) => key));
  return (value): value is T => {
    if (!jsonObject(value)) return false;
    for (const key of Object.keys(value)) if (!known.has(key)) return false;
    return entries.every(([key, check]) => Object.hasOwn(value, key) && check(value[key]));
  };
}
