import {
  ProviderError,
  badResponse,
  notConfigured,
  classifyAlibabaError,
  classifyHttpStatus,
  classifyTencentError,
  type ProviderErrorKind,
} from '../../src/providers/errors.js';
import { parseRetryAfter } from '../../src/providers/http.js';

type Row = readonly [code: string, kind: ProviderErrorKind, retryable: boolean];

/** Every code in the Tencent reference (§5), plus the families the classification is written for. */
const TENCENT_TABLE: readonly Row[] = [
  ['FailedOperation.InvalidMpsUser', 'FORBIDDEN', false],
  ['InternalError', 'UPSTREAM_UNAVAILABLE', true],
  ['InternalError.DbError', 'UPSTREAM_UNAVAILABLE', true],
  ['InvalidParameterValue', 'BAD_INPUT', false],
  ['InvalidParameterValue.TaskId', 'BAD_INPUT', false],
  ['ResourceNotFound', 'NOT_FOUND', false],
  ['ResourceNotFound.TaskNotExist', 'NOT_FOUND', false],
  ['UnauthorizedOperation', 'FORBIDDEN', false],
  ['AuthFailure.UnauthorizedOperation', 'FORBIDDEN', false],
  ['AuthFailure.SignatureFailure', 'AUTH_FAILED', false],
  ['AuthFailure.SignatureExpire', 'AUTH_FAILED', false],
  ['AuthFailure.SecretIdNotFound', 'AUTH_FAILED', false],
  ['AuthFailure.InvalidSecretId', 'AUTH_FAILED', false],
  ['AuthFailure.InvalidAuthorization', 'AUTH_FAILED', false],
  ['AuthFailure.TokenFailure', 'AUTH_FAILED', false],
  ['AuthFailure.MFAFailure', 'AUTH_FAILED', false],
  ['RequestLimitExceeded', 'RATE_LIMITED', true],
  ['RequestLimitExceeded.UinLimitExceeded', 'RATE_LIMITED', true],
  ['RequestLimitExceeded.GlobalRegionUinLimitExceeded', 'RATE_LIMITED', true],
  ['RequestLimitExceeded.IPLimitExceeded', 'RATE_LIMITED', true],
  // Our request was built wrongly: an integration bug, never "not found" and not the caller's input.
  ['InvalidAction', 'UPSTREAM_BAD_RESPONSE', false],
  ['NoSuchVersion', 'UPSTREAM_BAD_RESPONSE', false],
  ['NoSuchProduct', 'UPSTREAM_BAD_RESPONSE', false],
  ['ActionOffline', 'UPSTREAM_BAD_RESPONSE', false],
  ['UnsupportedOperation', 'UPSTREAM_BAD_RESPONSE', false],
  ['MissingParameter', 'BAD_INPUT', false],
  ['InvalidParameter', 'BAD_INPUT', false],
  ['IpInBlacklist', 'FORBIDDEN', false],
  ['IpNotInWhitelist', 'FORBIDDEN', false],
  ['ServiceUnavailable', 'UPSTREAM_UNAVAILABLE', true],
];

/** Every code in the Alibaba reference (§5), plus NotFound/NotExist families. */
const ALIBABA_TABLE: readonly Row[] = [
  ['SignatureDoesNotMatch', 'AUTH_FAILED', false],
  ['IncompleteSignature', 'AUTH_FAILED', false],
  ['InvalidAccessKeyId.NotFound', 'AUTH_FAILED', false],
  ['InvalidAccessKeyId.Inactive', 'AUTH_FAILED', false],
  ['InvalidSecurityToken.Expired', 'AUTH_FAILED', false],
  ['InvalidSecurityToken.Malformed', 'AUTH_FAILED', false],
  ['InvalidSecurityToken.MismatchWithAccessKey', 'AUTH_FAILED', false],
  ['InvalidTimeStamp.Format', 'AUTH_FAILED', false],
  ['InvalidTimeStamp.Expired', 'AUTH_FAILED', false],
  // A fresh nonce fixes it, so it is the one retryable auth error.
  ['SignatureNonceUsed', 'AUTH_FAILED', true],
  ['Throttling', 'RATE_LIMITED', true],
  ['Throttling.User', 'RATE_LIMITED', true],
  ['Throttling.Api', 'RATE_LIMITED', true],
  ['InvalidApi.NotFound', 'UPSTREAM_BAD_RESPONSE', false],
  ['InvalidAction.NotFound', 'UPSTREAM_BAD_RESPONSE', false],
  ['InvalidVersion', 'UPSTREAM_BAD_RESPONSE', false],
  ['UnsupportedHTTPMethod', 'UPSTREAM_BAD_RESPONSE', false],
  ['MissingParameter', 'BAD_INPUT', false],
  ['MissingTaskId', 'BAD_INPUT', false],
  ['InvalidParameter', 'BAD_INPUT', false],
  ['InvalidTaskId', 'BAD_INPUT', false],
  ['InvalidTaskId.Malformed', 'BAD_INPUT', false],
  ['Forbidden.RAM', 'FORBIDDEN', false],
  ['Forbidden', 'FORBIDDEN', false],
  ['Forbidden.RiskControl', 'FORBIDDEN', false],
  ['Forbidden.UserVerification', 'FORBIDDEN', false],
  ['IpInBlacklist', 'FORBIDDEN', false],
  ['IpNotInWhitelist', 'FORBIDDEN', false],
  ['InternalError', 'UPSTREAM_UNAVAILABLE', true],
  ['ServiceUnavailable', 'UPSTREAM_UNAVAILABLE', true],
  ['InvalidImageId.NotFound', 'NOT_FOUND', false],
  ['TaskNotFound', 'NOT_FOUND', false],
  ['WorkflowTask.NotExist', 'NOT_FOUND', false],
  ['InvalidTaskId.NotExist', 'NOT_FOUND', false],
];

describe('provider error classification', () => {
  describe('Tencent MPS codes', () => {
    it.each(TENCENT_TABLE)('%s -> %s (retryable %s)', (code, kind, retryable) => {
      const error = classifyTencentError(code, 'provider says no', 'req-1', 200);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        provider: 'tencent-mps',
        kind,
        retryable,
        providerCode: code,
        requestId: 'req-1',
        httpStatus: 200,
        message: `tencent-mps ${code}: provider says no`,
      });
    });

    it('classifies an unknown code sent with HTTP 200 as a bad response', () => {
      expect(classifyTencentError('LimitExceeded.Something', 'm', 'r', 200).kind).toBe('UPSTREAM_BAD_RESPONSE');
    });

    it('classifies an unknown code by HTTP status when the status says more', () => {
      expect(classifyTencentError('Mystery', 'm', 'r', 503).kind).toBe('UPSTREAM_UNAVAILABLE');
      expect(classifyTencentError('Mystery', 'm', 'r', 429).kind).toBe('RATE_LIMITED');
      expect(classifyTencentError('Mystery', 'm', 'r', undefined).kind).toBe('UPSTREAM_BAD_RESPONSE');
    });

    it('does not treat a Tencent 404 with an unknown code as task-not-found (only Alibaba documents that)', () => {
      expect(classifyTencentError('Mystery', 'm', 'r', 404).kind).toBe('UPSTREAM_BAD_RESPONSE');
    });
  });

  describe('Alibaba ICE codes', () => {
    it.each(ALIBABA_TABLE)('%s -> %s (retryable %s)', (code, kind, retryable) => {
      const error = classifyAlibabaError(code, 'provider says no', 'req-2', 400);
      expect(error).toMatchObject({
        provider: 'alibaba-ice',
        kind,
        retryable,
        providerCode: code,
        requestId: 'req-2',
        httpStatus: 400,
        message: `alibaba-ice ${code}: provider says no`,
      });
    });

    it('treats HTTP 404 with an unknown code as not found', () => {
      expect(classifyAlibabaError('Mystery', 'm', 'r', 404).kind).toBe('NOT_FOUND');
    });

    it('keeps credential and API codes out of not-found even at HTTP 404', () => {
      expect(classifyAlibabaError('InvalidAccessKeyId.NotFound', 'm', 'r', 404).kind).toBe('AUTH_FAILED');
      expect(classifyAlibabaError('InvalidApi.NotFound', 'm', 'r', 404).kind).toBe('UPSTREAM_BAD_RESPONSE');
      expect(classifyAlibabaError('InvalidAction.NotFound', 'm', 'r', 404).kind).toBe('UPSTREAM_BAD_RESPONSE');
    });

    it.each([
      [500, 'UPSTREAM_UNAVAILABLE'],
      [503, 'UPSTREAM_UNAVAILABLE'],
      [429, 'RATE_LIMITED'],
      [401, 'AUTH_FAILED'],
      [403, 'FORBIDDEN'],
      [400, 'UPSTREAM_BAD_RESPONSE'],
      [200, 'UPSTREAM_BAD_RESPONSE'],
    ] as const)('classifies an unknown code at HTTP %i as %s', (status, kind) => {
      expect(classifyAlibabaError('Mystery', 'm', 'r', status).kind).toBe(kind);
    });
  });

  describe('messages', () => {
    it('is "<provider> <code>" when the provider sent no message', () => {
      expect(classifyTencentError('ResourceNotFound', '', undefined, 200).message).toBe('tencent-mps ResourceNotFound');
    });

    it('collapses whitespace and cuts very long provider messages', () => {
      const error = classifyAlibabaError('Throttling', `a\n\n b ${'x'.repeat(1000)}`, undefined, 429);
      expect(error.message.startsWith('alibaba-ice Throttling: a b x')).toBe(true);
      expect(error.message.length).toBeLessThan(350);
    });

    it('carries Retry-After through', () => {
      expect(classifyAlibabaError('Throttling.User', 'slow down', 'r', 429, 2000).retryAfterMs).toBe(2000);
      expect(classifyTencentError('RequestLimitExceeded', 'slow down', 'r', 200, 1000).retryAfterMs).toBe(1000);
    });
  });

  describe('HTTP statuses without an error body', () => {
    it.each([
      [500, 'UPSTREAM_UNAVAILABLE', true],
      [502, 'UPSTREAM_UNAVAILABLE', true],
      [503, 'UPSTREAM_UNAVAILABLE', true],
      [504, 'UPSTREAM_UNAVAILABLE', true],
      [408, 'UPSTREAM_UNAVAILABLE', true],
      [429, 'RATE_LIMITED', true],
      [400, 'UPSTREAM_BAD_RESPONSE', false],
      [401, 'UPSTREAM_BAD_RESPONSE', false],
      [403, 'UPSTREAM_BAD_RESPONSE', false],
      // A bare 404 came from something in front of the API, not from ICE: never "task not found".
      [404, 'UPSTREAM_BAD_RESPONSE', false],
      [301, 'UPSTREAM_BAD_RESPONSE', false],
    ] as const)('HTTP %i -> %s', (status, kind, retryable) => {
      for (const provider of ['tencent-mps', 'alibaba-ice'] as const) {
        const error = classifyHttpStatus(provider, status, { retryAfterMs: 5000 });
        expect(error).toMatchObject({ provider, kind, retryable, httpStatus: status, retryAfterMs: 5000 });
        expect(error.providerCode).toBeUndefined();
        expect(error.message).toBe(`${provider} HTTP ${status} without an error body`);
      }
    });
  });

  describe('unusable bodies', () => {
    it('is UPSTREAM_BAD_RESPONSE, not retryable, and names the reason', () => {
      const error = badResponse('tencent-mps', 'body is not JSON', { httpStatus: 200, requestId: 'r' });
      expect(error).toMatchObject({
        kind: 'UPSTREAM_BAD_RESPONSE',
        retryable: false,
        httpStatus: 200,
        requestId: 'r',
        message: 'tencent-mps returned an unusable response: body is not JSON',
      });
    });
  });

  describe('a provider this subgraph has no credentials for', () => {
    it('is NOT_CONFIGURED, not retryable, and names the variables to set', () => {
      const error = notConfigured('alibaba-ice', ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET']);
      expect(error).toMatchObject({ provider: 'alibaba-ice', kind: 'NOT_CONFIGURED', retryable: false });
      expect(error.message).toBe(
        'alibaba-ice is not configured on this subgraph: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      );
    });
  });

  describe('Retry-After', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');

    it.each([
      ['0', 0],
      ['3', 3000],
      [' 120 ', 120_000],
      ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
      ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ])('reads %j as %i ms', (value, ms) => {
      expect(parseRetryAfter(value, now)).toBe(ms);
    });

    it.each([[null], [undefined], [''], ['-1'], ['1.5'], ['soon'], ['Thu, 99 Foo 2026']])('ignores %j', (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    });
  });
});
