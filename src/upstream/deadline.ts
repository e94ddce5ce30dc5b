/**
 * The per-request deadline as an error. It is a ProviderError (UPSTREAM_UNAVAILABLE)
 * so the one GraphQL error mapping applies, and a subclass so the retry layer can
 * tell "out of time" from a provider failure.
 */
import { ProviderError, type ProviderName } from '../providers/errors.js';

export class DeadlineExceededError extends ProviderError {
  constructor(provider: ProviderName) {
    // Retryable for the GraphQL caller: a later request has a fresh deadline.
    super({ provider, kind: 'UPSTREAM_UNAVAILABLE', message: `${provider} request deadline exceeded`, retryable: true });
    this.name = 'DeadlineExceededError';
  }
}
