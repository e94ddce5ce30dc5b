/**
 * The router callback protocol's request extension (`extensions.subscription`, callbackSpec 1.0),
 * read before anything is sent anywhere: typed and bounded fields, a `callbackUrl` under one of the
 * allowed prefixes (SUBSCRIPTION_CALLBACK_URLS; none: the protocol is off), a heartbeat interval
 * within bounds. Pure: the extension and the policy in, the request or a refusal out.
 */

export interface CallbackPolicy {
  /** Allowed URL prefixes as config reads them (origin and path); empty: the protocol is off. */
  readonly allowedPrefixes: readonly string[];
}

/** What the callback plugin is given: nothing the caller sent beyond these four fields. */
export interface CallbackRequest {
  readonly callbackUrl: string;
  readonly subscriptionId: string;
  readonly verifier: string;
  /** 0: no heartbeat (the router's `heartbeat_interval: disabled`). */
  readonly heartbeatIntervalMs: number;
}

export interface CallbackRefusal {
  readonly code: 'CALLBACK_NOT_ALLOWED' | 'BAD_USER_INPUT';
  readonly status: number;
  readonly message: string;
}

export type ReadCallback = { readonly request: CallbackRequest } | { readonly refusal: CallbackRefusal };

/** The router's default heartbeat interval (callbackSpec 1.0). */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** Shorter intervals are raised to this: a heartbeat a millisecond made thousands of requests a second. */
export const MIN_HEARTBEAT_MS = 1_000;
/** Longer intervals are lowered to this; past 2^31 - 1 ms Node would fire the timer every millisecond. */
export const MAX_HEARTBEAT_MS = 60_000;

/** A router's URLs are a few hundred characters; ids are UUIDs and verifiers hex digests. */
export const MAX_URL_LENGTH = 2_048;
export const MAX_ID_LENGTH = 256;

function badInput(message: string): ReadCallback {
  return { refusal: { code: 'BAD_USER_INPUT', status: 400, message } };
}

function notAllowed(message: string): ReadCallback {
  return { refusal: { code: 'CALLBACK_NOT_ALLOWED', status: 403, message } };
}

/** The camelCase name the spec uses, else the snake_case one Apollo's plugin also reads. */
function field(extension: Readonly<Record<string, unknown>>, camel: string, snake: string): unknown {
  return extension[camel] ?? extension[snake];
}

function boundedString(value: unknown, name: string, maxLength: number): string | ReadCallback {
  if (typeof value !== 'string' || value.length === 0)
    return badInput(`extensions.subscription.${name} must be a non-empty string`);
  if (value.length > maxLength)
    return badInput(`extensions.subscription.${name} is longer than ${maxLength} characters`);
  return value;
}

/** A path prefix matches whole segments: `/callback` admits `/callback/1` but not `/callbackx`. */
function underPrefix(url: URL, prefix: string): boolean {
  const allowed = new URL(prefix);
  if (url.origin !== allowed.origin) return false;
  if (allowed.pathname.endsWith('/')) return url.pathname.startsWith(allowed.pathname);
  return url.pathname === allowed.pathname || url.pathname.startsWith(`${allowed.pathname}/`);
}

/** Allowed: http(s), no user info, no query or fragment, under one of the prefixes. */
export function callbackUrlAllowed(text: string, prefixes: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password || url.search || url.hash) return false;
  return prefixes.some((prefix) => underPrefix(url, prefix));
}

function heartbeatOf(value: unknown): number | ReadCallback {
  if (value === undefined || value === null) return DEFAULT_HEARTBEAT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return badInput('extensions.subscription.heartbeatIntervalMs must be a whole number of milliseconds, 0 for none');
  }
  if (value === 0) return 0;
  return Math.min(Math.max(value, MIN_HEARTBEAT_MS), MAX_HEARTBEAT_MS);
}

export function readCallbackExtension(extension: unknown, policy: CallbackPolicy): ReadCallback {
  if (policy.allowedPrefixes.length === 0) {
    return notAllowed(
      "This subgraph does not serve the router's callback protocol (SUBSCRIPTION_CALLBACK_URLS is unset); use WebSocket",
    );
  }
  if (typeof extension !== 'object' || extension === null || Array.isArray(extension))
    return badInput('extensions.subscription must be an object');
  const fields = extension as Readonly<Record<string, unknown>>;
  const callbackUrl = boundedString(field(fields, 'callbackUrl', 'callback_url'), 'callbackUrl', MAX_URL_LENGTH);
  if (typeof callbackUrl !== 'string') return callbackUrl;
  const subscriptionId = boundedString(
    field(fields, 'subscriptionId', 'subscription_id'),
    'subscriptionId',
    MAX_ID_LENGTH,
  );
  if (typeof subscriptionId !== 'string') return subscriptionId;
  const verifier = boundedString(fields['verifier'], 'verifier', MAX_ID_LENGTH);
  if (typeof verifier !== 'string') return verifier;
  const heartbeatIntervalMs = heartbeatOf(field(fields, 'heartbeatIntervalMs', 'heartbeat_interval_ms'));
  if (typeof heartbeatIntervalMs !== 'number') return heartbeatIntervalMs;
  if (!callbackUrlAllowed(callbackUrl, policy.allowedPrefixes)) {
    return notAllowed(
      'extensions.subscription.callbackUrl is not under any URL this subgraph calls back (SUBSCRIPTION_CALLBACK_URLS)',
    );
  }
  return { request: { callbackUrl, subscriptionId, verifier, heartbeatIntervalMs } };
}
