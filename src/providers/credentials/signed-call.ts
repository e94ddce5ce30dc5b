/**
 * One lookup's signed attempt with the holder's credential, and the one extra attempt a
 * token refusal earns: the provider says the token is expired or invalid, so a fresh
 * credential (one refresh, shared) gets one more try. Each attempt signs with the
 * credential current when it is signed.
 */
import { ProviderError } from '../errors.js';
import type { CredentialHolder } from './holder.js';

/** The provider codes that mean "this token, not your request": MPS (API 3.0) and ICE (RPC). */
export const TOKEN_REFUSAL_CODES: ReadonlySet<string> = new Set([
  'AuthFailure.TokenFailure',
  'InvalidSecurityToken.Expired',
  'InvalidSecurityToken.Malformed',
  'InvalidSecurityToken.MismatchWithAccessKey',
]);

export function isTokenRefusal(error: unknown): error is ProviderError {
  return (
    error instanceof ProviderError && error.providerCode !== undefined && TOKEN_REFUSAL_CODES.has(error.providerCode)
  );
}

export async function withCredential<C, T>(
  holder: CredentialHolder<C>,
  attempt: (credential: C) => Promise<T>,
): Promise<T> {
  const used = await holder.current();
  try {
    return await attempt(used);
  } catch (error) {
    if (!isTokenRefusal(error)) throw error;
    const next = await holder.replace(used);
    if (next === null) throw error;
    return attempt(next);
  }
}
