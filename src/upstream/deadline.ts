/**
 * The per-request deadline as an error. It is a ProviderError (UPSTREAM_UNAVAILABLE)
 * so the one GraphQL error mapping applies, and a subclass so the retry layer can
 * tell "out of time" from a provider failure.
 */
import { ProviderError, type ProviderName } from '../providers/errors.js';

export class DeadlineExceededError extends ProviderError {
  constructor(provider: ProviderName) {
    // Retryable for the GraphQL caller: a later request has a fresh deadline.
    super({
      provider,
      kind: 'UPSTREAM_UNAVAILABLE',
      message: `${provider} request deadline exceeded`,
      retryable: true,
    });
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Failures the retry layer gave up with because the deadline, not the provider, ended the
 * lookup. Out of time it rethrows the last provider error (its code is what the caller should
 * see), so the error alone cannot say so; in-flight sharing asks, because a caller with a later
 * deadline than the shared call's should try again rather than inherit that failure.
 * A WeakSet: nothing is kept alive by being marked.
 */
const endedByDeadline = new WeakSet<object>();

export function markEndedByDeadline<E>(error: E): E {
  if (typeof error === 'object' && error !== null) endedByDeadline.add(error);
  return error;
}

export function wasEndedByDeadline(error: unknown): boolean {
  return (
    error instanceof DeadlineExceededError ||
    (typeof error === 'object' && error !== null && endedByDeadline.has(error))
  );
}
