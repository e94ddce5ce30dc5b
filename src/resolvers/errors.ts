/**
 * The one mapping from failures to GraphQL errors. Provider failures arrive already
 * classified (providers/errors.ts); here they get their stable `extensions.code`.
 * Anything unexpected is masked, so no stack or internal message reaches a client
 * unless NODE_ENV=development.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ProviderError, type ProviderErrorKind, type ProviderName } from '../providers/errors.js';
import { tokenLimitRefusal } from '../security/query-limits.js';

export type ErrorCode =
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'UPSTREAM_AUTH_FAILED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UNAUTHENTICATED'
  | 'PROVIDER_NOT_CONFIGURED'
  /** A subscription limit (per connection, watched tasks) or shutdown refused it: src/subscriptions/errors.ts. */
  | 'SUBSCRIPTION_LIMIT'
  /** SUBSCRIPTION_MAX_DURATION_MS ended it. */
  | 'SUBSCRIPTION_EXPIRED'
  /** The router callback protocol is off, or the callback URL is outside SUBSCRIPTION_CALLBACK_URLS. */
  | 'CALLBACK_NOT_ALLOWED'
  /** The callback URL did not accept the `check` request. */
  | 'CALLBACK_CHECK_FAILED'
  /** A browser origin that is neither the subgraph's own nor in WEBSOCKET_ALLOWED_ORIGINS. */
  | 'ORIGIN_NOT_ALLOWED'
  | 'INTERNAL_SERVER_ERROR';

const CODE_BY_KIND: Record<ProviderErrorKind, ErrorCode> = {
  NOT_FOUND: 'NOT_FOUND',
  BAD_INPUT: 'BAD_USER_INPUT',
  AUTH_FAILED: 'UPSTREAM_AUTH_FAILED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_BAD_RESPONSE: 'UPSTREAM_BAD_RESPONSE',
  NOT_CONFIGURED: 'PROVIDER_NOT_CONFIGURED',
};

/** Codes Apollo Server and graphql-js assign themselves; they are already safe to show. */
const FRAMEWORK_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** A provider payload that arrived but cannot be typed; only the field it feeds fails. */
export function upstreamBadResponse(provider: ProviderName, message: string, requestId: string | null): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UPSTREAM_BAD_RESPONSE', provider, ...(requestId ? { requestId } : {}) },
  });
}

/** Every key this subgraph puts in `extensions` for clients (deploy/router.yaml lets exactly these through). */
export const CLIENT_ERROR_EXTENSIONS = ['code', 'provider', 'providerCode', 'requestId', 'retryable'] as const;

export function providerErrorExtensions(error: ProviderError): Record<string, unknown> {
  return {
    code: CODE_BY_KIND[error.kind],
    provider: error.provider,
    ...(error.providerCode ? { providerCode: error.providerCode } : {}),
    ...(error.requestId ? { requestId: error.requestId } : {}),
    retryable: error.retryable,
  };
}

export interface FormatErrorOptions {
  readonly includeStacktrace: boolean;
}

function isCodelessClientRefusal(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return false;
  const http = error.extensions.http;
  const status = typeof http === 'object' && http !== null && 'status' in http ? http.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Apollo Server's formatError hook: the single place where errors take their public shape. */
export function createErrorFormatter(options: FormatErrorOptions) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    const debug = options.includeStacktrace && _stacktrace ? { stacktrace: _stacktrace } : {};

    if (original instanceof ProviderError) {
      return {
        ...formatted,
        message: original.message,
        extensions: { ...providerErrorExtensions(original), ...debug },
      };
    }
    const tokenRefusal = tokenLimitRefusal(formatted);
    if (tokenRefusal) return tokenRefusal;
    // Apollo wraps validation errors in its own GRAPHQL_VALIDATION_FAILED; a rule of ours
    // (security/query-limits.ts) put its own code on the error it reported, which wins.
    const cause = original instanceof GraphQLError ? original.originalError : undefined;
    if (cause instanceof GraphQLError && typeof cause.extensions.code === 'string') {
      return { ...formatted, extensions: { ...extensions, code: cause.extensions.code, ...debug } };
    }
    // Apollo's BAD_REQUEST (a batched array body, no query, a GET mutation) refuses the caller's
    // request like every other limit here, so it gets the same code.
    if (extensions.code === 'BAD_REQUEST')
      return { ...formatted, extensions: { ...extensions, code: 'BAD_USER_INPUT', ...debug } };
    // Apollo refuses some requests with a bare GraphQLError that names a 4xx status but no code
    // (a persisted-query extension with a version other than 1 or that is not an object, a hash
    // that does not match the query). Without a code they would read as INTERNAL_SERVER_ERROR,
    // "a bug here", and be logged and counted with real bugs; they are the caller's mistake.
    if (isCodelessClientRefusal(original))
      return { ...formatted, extensions: { ...extensions, code: 'BAD_USER_INPUT', ...debug } };
    const code = typeof extensions.code === 'string' ? extensions.code : undefined;
    const ours = original instanceof GraphQLError && code !== undefined && code !== 'INTERNAL_SERVER_ERROR';
    if (ours || (code !== undefined && FRAMEWORK_CODES.has(code))) {
      return { ...formatted, extensions: { ...extensions, ...debug } };
    }
    return {
      message: options.includeStacktrace && original instanceof Error ? original.message : 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...debug },
    };
  };
}
