/**
 * Answers as stored in Redis: the parsed model (plain JSON: strings, numbers, booleans, arrays,
 * objects; no Dates), or a NOT_FOUND, the only failure ever cached. Anything that does not
 * decode is treated as absent, never as an answer.
 */
import { ProviderError, type ProviderName } from '../../providers/errors.js';

export type SharedEntry<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

interface StoredError {
  readonly kind: 'NOT_FOUND';
  readonly message: string;
  readonly providerCode?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
}

/** The text to store, or null when this answer is not for sharing (only values and NOT_FOUND are). */
export function encodeEntry<T>(entry: SharedEntry<T>): string | null {
  if (entry.ok) return JSON.stringify({ ok: true, value: entry.value });
  const { error } = entry;
  if (!(error instanceof ProviderError) || error.kind !== 'NOT_FOUND') return null;
  const stored: StoredError = {
    kind: 'NOT_FOUND',
    message: error.message,
    ...(error.providerCode !== undefined && { providerCode: error.providerCode }),
    ...(error.requestId !== undefined && { requestId: error.requestId }),
    ...(error.httpStatus !== undefined && { httpStatus: error.httpStatus }),
  };
  return JSON.stringify({ ok: false, error: stored });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The stored text back as an answer; null when it is not one this version wrote. The value is
 * trusted to be a T: only this code writes under this version's keys.
 */
export function decodeEntry<T>(text: string, provider: ProviderName): SharedEntry<T> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(parsed)) return null;
  if (parsed['ok'] === true && isObject(parsed['value'])) return { ok: true, value: parsed['value'] as T };
  const error = parsed['error'];
  if (parsed['ok'] === false && isObject(error) && error['kind'] === 'NOT_FOUND' && typeof error['message'] === 'string') {
    const text = (key: string): string | undefined => (typeof error[key] === 'string' ? (error[key] as string) : undefined);
    const httpStatus = typeof error['httpStatus'] === 'number' ? error['httpStatus'] : undefined;
    const providerCode = text('providerCode');
    const requestId = text('requestId');
    return {
      ok: false,
      error: new ProviderError({
        provider,
        kind: 'NOT_FOUND',
        message: error['message'],
        ...(providerCode !== undefined && { providerCode }),
        ...(requestId !== undefined && { requestId }),
        ...(httpStatus !== undefined && { httpStatus }),
      }),
    };
  }
  return null;
}
