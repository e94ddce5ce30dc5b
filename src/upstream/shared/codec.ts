/**
 * Answers as stored in Redis: the parsed model as JSON, or a NOT_FOUND, the only failure ever
 * cached, with how long Redis was told to keep it, so that its age (that less what Redis has
 * left of it) is read from Redis's clock alone. Decoding trusts nothing: an entry that does not
 * decode, or whose value is not the model (`accepts`), comes back as the reason it was dropped.
 */ import { ProviderError, type ProviderName } from '../../providers/errors.js';
import type { Check } from './shape.js';

export type SharedEntry<T> = (
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error }
) & {
  /** The lifetime (PX) the lease holder stored it with; absent in an entry that does not say. */
  readonly keptForMs?: number;
};

interface StoredError {
  readonly kind: 'NOT_FOUND';
  readonly message: string;
  readonly providerCode?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
}

/** The text to store, or null when this answer is not for sharing (only values and NOT_FOUND are). */
export function encodeEntry<T>(entry: SharedEntry<T>, keptForMs: number): string | null {
  if (entry.ok) return JSON.stringify({ ok: true, value: entry.value, keptForMs });
  const { error } = entry;
  if (!(error instanceof ProviderError) || error.kind !== 'NOT_FOUND') return null;
  const stored: StoredError = {
    kind: 'NOT_FOUND',
    message: error.message,
    ...(error.providerCode !== undefined && { providerCode: error.providerCode }),
    ...(error.requestId !== undefined && { requestId: error.requestId }),
    ...(error.httpStatus !== undefined && { httpStatus: error.httpStatus }),
  };
  return JSON.stringify({ ok: false, error: stored, keptForMs });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a stored entry was not used: not an entry at all, a value of the wrong shape, or a missing or wrong MAC (seal.ts). */
export type DropReason = 'undecodable' | 'shape' | 'signature';

/** The stored text back as an answer, or why it is not one: a value is used only when `accepts` says it is a T. */
export function decodeEntry<T>(
  text: string,
  provider: ProviderName,
  accepts: Check<T>,
): SharedEntry<T> | Exclude<DropReason, 'signature'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'undecodable';
  }
  if (!isObject(parsed)) return 'undecodable';
  const keptForMs = parsed['keptForMs'];
  if (keptForMs !== undefined && (typeof keptForMs !== 'number' || !Number.isFinite(keptForMs))) return 'undecodable';
  const stamp = keptForMs !== undefined && { keptForMs };
  if (parsed['ok'] === true) return accepts(parsed['value']) ? { ok: true, value: parsed['value'], ...stamp } : 'shape';
  const error = parsed['error'];
  if (
    parsed['ok'] === false &&
    isObject(error) &&
    error['kind'] === 'NOT_FOUND' &&
    typeof error['message'] === 'string'
  ) {
    const text = (key: string): string | undefined =>
      typeof error[key] === 'string' ? (error[key] as string) : undefined;
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
      ...stamp,
    };
  }
  return 'undecodable';
}
