/**
 * The one classification of provider failures, shared by both clients.
 * Everything above the clients (loaders, resolvers, retries, caching) reasons
 * about `ProviderErrorKind`, never about provider codes or HTTP statuses.
 */

export type ProviderName = 'tencent-mps' | 'alibaba-ice';

export type ProviderErrorKind =
  | 'NOT_FOUND'
  | 'BAD_INPUT'
  | 'AUTH_FAILED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_BAD_RESPONSE';

export interface ProviderErrorDetails {
  readonly provider: ProviderName;
  readonly kind: ProviderErrorKind;
  readonly message: string;
  readonly providerCode?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  /** Milliseconds the provider asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs?: number;
  /** Overrides the kind's default, e.g. a reused nonce is an auth error that a fresh nonce fixes. */
  readonly retryable?: boolean;
}

export class ProviderError extends Error {
  readonly provider: ProviderName;
  readonly kind: ProviderErrorKind;
  readonly providerCode: string | undefined;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;

  constructor(details: ProviderErrorDetails) {
    super(details.message);
    this.name = 'ProviderError';
    this.provider = details.provider;
    this.kind = details.kind;
    this.providerCode = details.providerCode;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.retryable ?? isRetryableKind(details.kind);
  }
}

/** Throttling and transient upstream failures are worth another attempt; the rest will fail the same way again. */
export function isRetryableKind(kind: ProviderErrorKind): boolean {
  return kind === 'RATE_LIMITED' || kind === 'UPSTREAM_UNAVAILABLE';
}
