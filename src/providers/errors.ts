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
  | 'UPSTREAM_BAD_RESPONSE'
  /**
   * No call was made: this deployment has no credentials for the provider and the emulator
   * is off (see config.ts, EMULATOR). Not retryable, and never a fact about the task.
   */
  | 'NOT_CONFIGURED';

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

// ---------------------------------------------------------------------------
// Classification of provider error codes.
//
// Rules are ordered tables, first match wins. Order matters where families
// overlap: `AuthFailure.UnauthorizedOperation` is a permission problem although
// it starts with `AuthFailure`, and `InvalidAccessKeyId.NotFound` is a bad
// credential although it contains `NotFound`.
// ---------------------------------------------------------------------------

interface CodeRule {
  readonly matches: (code: string) => boolean;
  readonly kind: ProviderErrorKind;
  readonly retryable?: boolean;
}

const exact =
  (...codes: readonly string[]) =>
  (code: string): boolean =>
    codes.includes(code);

/** `prefix('Throttling')` matches `Throttling`, `Throttling.User`, `ThrottlingUser`: the families are named by prefix in the docs. */
const prefix =
  (...prefixes: readonly string[]) =>
  (code: string): boolean =>
    prefixes.some((p) => code.startsWith(p));

const pattern =
  (re: RegExp) =>
  (code: string): boolean =>
    re.test(code);

/**
 * Codes that mean *we* built the request wrongly (unknown action, version or
 * product, unsupported method). They are classified UPSTREAM_BAD_RESPONSE, not
 * BAD_INPUT and never NOT_FOUND: the GraphQL caller cannot fix them, retrying
 * cannot fix them, and reporting "task not found" for `InvalidApi.NotFound`
 * would hide a deployment bug behind a plausible answer (and might be cached
 * as one). UPSTREAM_BAD_RESPONSE is the non-retryable "integration is broken,
 * page the operator" kind.
 */
const TENCENT_INTEGRATION_CODES = exact(
  'InvalidAction',
  'NoSuchVersion',
  'NoSuchProduct',
  'ActionOffline',
  'UnsupportedOperation',
  'UnsupportedProtocol',
  'UnsupportedRegion',
  'UnknownParameter',
);

const TENCENT_RULES: readonly CodeRule[] = [
  { matches: exact('AuthFailure.UnauthorizedOperation'), kind: 'FORBIDDEN' },
  // SignatureFailure, SignatureExpire, SecretIdNotFound, InvalidSecretId, InvalidAuthorization, TokenFailure, MFAFailure.
  { matches: prefix('AuthFailure'), kind: 'AUTH_FAILED' },
  { matches: prefix('UnauthorizedOperation'), kind: 'FORBIDDEN' },
  { matches: exact('FailedOperation.InvalidMpsUser', 'IpInBlacklist', 'IpNotInWhitelist'), kind: 'FORBIDDEN' },
  // Unknown task, or one older than the 7-day query window.
  { matches: prefix('ResourceNotFound'), kind: 'NOT_FOUND' },
  { matches: prefix('RequestLimitExceeded'), kind: 'RATE_LIMITED' },
  { matches: prefix('InternalError', 'ServiceUnavailable'), kind: 'UPSTREAM_UNAVAILABLE' },
  { matches: TENCENT_INTEGRATION_CODES, kind: 'UPSTREAM_BAD_RESPONSE' },
  // TaskId is the only parameter and it comes from the caller, so a parameter error is the caller's.
  { matches: prefix('InvalidParameter', 'MissingParameter'), kind: 'BAD_INPUT' },
];

const ALIBABA_RULES: readonly CodeRule[] = [
  // A fresh nonce (every attempt gets one) fixes it, so unlike other auth errors it is worth retrying.
  { matches: exact('SignatureNonceUsed'), kind: 'AUTH_FAILED', retryable: true },
  {
    matches: (code) =>
      exact('SignatureDoesNotMatch', 'IncompleteSignature')(code) ||
      prefix('InvalidAccessKeyId', 'InvalidSecurityToken', 'InvalidTimeStamp')(code),
    kind: 'AUTH_FAILED',
  },
  {
    matches: (code) => prefix('Forbidden')(code) || exact('IpInBlacklist', 'IpNotInWhitelist')(code),
    kind: 'FORBIDDEN',
  },
  { matches: prefix('Throttling'), kind: 'RATE_LIMITED' },
  { matches: prefix('InternalError', 'ServiceUnavailable'), kind: 'UPSTREAM_UNAVAILABLE' },
  // See TENCENT_INTEGRATION_CODES for why these are not NOT_FOUND or BAD_INPUT.
  {
    matches: (code) =>
      prefix('InvalidApi', 'InvalidAction', 'InvalidVersion', 'InvalidProduct')(code) ||
      exact('UnsupportedHTTPMethod')(code),
    kind: 'UPSTREAM_BAD_RESPONSE',
  },
  // No ICE-specific "task not found" code is documented; the reference says to trust the family names.
  { matches: pattern(/NotFound|NotExist/), kind: 'NOT_FOUND' },
  // MissingParameter, Missing<Param>, InvalidParameter, Invalid<Param> (credential Invalid* codes matched above).
  { matches: pattern(/^(Missing|Invalid)[A-Z]/), kind: 'BAD_INPUT' },
];

/** Longer provider messages are cut: they end up in logs and GraphQL errors, and some embed request echoes. */
const MAX_PROVIDER_MESSAGE = 300;

function formatMessage(provider: ProviderName, code: string, message: string): string {
  const text = message.trim().replace(/\s+/g, ' ');
  const cut = text.length > MAX_PROVIDER_MESSAGE ? `${text.slice(0, MAX_PROVIDER_MESSAGE)}…` : text;
  return cut ? `${provider} ${code}: ${cut}` : `${provider} ${code}`;
}

/**
 * The kind an HTTP status implies. With a provider error body the status is the
 * provider's own (Alibaba sends 404 for missing resources); without one it came
 * from a gateway or proxy, so only "try later" statuses mean anything.
 */
function kindForStatus(
  provider: ProviderName,
  httpStatus: number | undefined,
  hasProviderErrorBody: boolean,
): ProviderErrorKind {
  if (httpStatus === undefined) return 'UPSTREAM_BAD_RESPONSE';
  if (httpStatus === 429) return 'RATE_LIMITED';
  // 408 is a proxy giving up on us: as transient as a 5xx.
  if (httpStatus >= 500 || httpStatus === 408) return 'UPSTREAM_UNAVAILABLE';
  if (!hasProviderErrorBody) return 'UPSTREAM_BAD_RESPONSE';
  if (httpStatus === 404 && provider === 'alibaba-ice') return 'NOT_FOUND';
  if (httpStatus === 401) return 'AUTH_FAILED';
  if (httpStatus === 403) return 'FORBIDDEN';
  return 'UPSTREAM_BAD_RESPONSE';
}

function classifyCode(
  provider: ProviderName,
  rules: readonly CodeRule[],
  code: string,
  message: string,
  requestId: string | undefined,
  httpStatus: number | undefined,
  retryAfterMs: number | undefined,
): ProviderError {
  const rule = rules.find((candidate) => candidate.matches(code));
  const kind = rule?.kind ?? kindForStatus(provider, httpStatus, true);
  return new ProviderError({
    provider,
    kind,
    message: formatMessage(provider, code, message),
    providerCode: code,
    requestId,
    httpStatus,
    retryAfterMs,
    retryable: rule?.retryable,
  });
}

/** Classifies `Response.Error` of a Tencent Cloud API 3.0 reply (usually sent with HTTP 200). */
export function classifyTencentError(
  code: string,
  message: string,
  requestId: string | undefined,
  httpStatus: number | undefined,
  retryAfterMs?: number,
): ProviderError {
  return classifyCode('tencent-mps', TENCENT_RULES, code, message, requestId, httpStatus, retryAfterMs);
}

/** Classifies an Alibaba Cloud error body `{RequestId, HostId, Code, Message, Recommend}` at any HTTP status. */
export function classifyAlibabaError(
  code: string,
  message: string,
  requestId: string | undefined,
  httpStatus: number | undefined,
  retryAfterMs?: number,
): ProviderError {
  // HTTP 404 with an unknown code is "not found" (the reference's rule); known codes still win,
  // so InvalidApi.NotFound at 404 stays an integration error.
  return classifyCode('alibaba-ice', ALIBABA_RULES, code, message, requestId, httpStatus, retryAfterMs);
}

/**
 * A non-2xx reply that carries no provider error body (an HTML page from a
 * load balancer, an empty 503). 5xx/408 are transient, 429 is throttling,
 * anything else is a reply we cannot interpret. A bare 404 is deliberately
 * *not* NOT_FOUND: without the provider's error body it came from something
 * in front of the API (wrong endpoint, proxy), and calling that "task not
 * found" would be cached as a fact about the task.
 */
export function classifyHttpStatus(
  provider: ProviderName,
  httpStatus: number,
  options: { readonly requestId?: string; readonly retryAfterMs?: number } = {},
): ProviderError {
  return new ProviderError({
    provider,
    kind: kindForStatus(provider, httpStatus, false),
    message: `${provider} HTTP ${httpStatus} without an error body`,
    httpStatus,
    requestId: options.requestId,
    retryAfterMs: options.retryAfterMs,
  });
}

/**
 * The answer for every lookup of a provider this deployment has no credentials for (and
 * no emulator standing in): an operator's mistake to fix, named with the variables to set.
 */
export function notConfigured(provider: ProviderName, variables: readonly string[]): ProviderError {
  return new ProviderError({
    provider,
    kind: 'NOT_CONFIGURED',
    message: `${provider} is not configured on this subgraph: set ${variables.join(' and ')}`,
  });
}

/**
 * A 2xx reply we cannot use: not JSON, or JSON of the wrong shape. The body is
 * never copied into the message: it may be large or carry customer data.
 */
export function badResponse(
  provider: ProviderName,
  reason: string,
  options: { readonly httpStatus?: number; readonly requestId?: string } = {},
): ProviderError {
  return new ProviderError({
    provider,
    kind: 'UPSTREAM_BAD_RESPONSE',
    message: `${provider} returned an unusable response: ${reason}`,
    httpStatus: options.httpStatus,
    requestId: options.requestId,
  });
}
