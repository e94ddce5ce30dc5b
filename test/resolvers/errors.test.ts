import { GraphQLError } from 'graphql';
import { ProviderError } from '../../src/providers/errors.js';
import { badUserInput, createErrorFormatter } from '../../src/resolvers/errors.js';

const production = createErrorFormatter({ includeStacktrace: false });
const development = createErrorFormatter({ includeStacktrace: true });

/** What Apollo hands formatError for an error thrown in a resolver. */
function thrownInResolver(
  original: Error,
): [{ message: string; path: string[]; extensions: Record<string, unknown> }, GraphQLError] {
  const wrapped = new GraphQLError(original.message, { originalError: original, path: ['imageTask'] });
  const code = original instanceof GraphQLError ? original.extensions.code : 'INTERNAL_SERVER_ERROR';
  return [
    {
      message: original.message,
      path: ['imageTask'],
      extensions: { code, stacktrace: ['Error: x', '    at secret.ts:1:1'] },
    },
    wrapped,
  ];
}

describe('error formatting', () => {
  it.each([
    ['NOT_FOUND', 'NOT_FOUND'],
    ['BAD_INPUT', 'BAD_USER_INPUT'],
    ['AUTH_FAILED', 'UPSTREAM_AUTH_FAILED'],
    ['FORBIDDEN', 'FORBIDDEN'],
    ['RATE_LIMITED', 'RATE_LIMITED'],
    ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE'],
    ['UPSTREAM_BAD_RESPONSE', 'UPSTREAM_BAD_RESPONSE'],
    ['NOT_CONFIGURED', 'PROVIDER_NOT_CONFIGURED'],
  ] as const)(
    'gives a provider %s failure the stable code %s with provider, providerCode and requestId',
    (kind, code) => {
      const error = new ProviderError({
        provider: 'tencent-mps',
        kind,
        message: 'tencent-mps X: y',
        providerCode: 'X',
        requestId: 'req-1',
      });
      const formatted = production(...thrownInResolver(error));
      expect(formatted.extensions).toEqual({
        code,
        provider: 'tencent-mps',
        providerCode: 'X',
        requestId: 'req-1',
        retryable: error.retryable,
      });
      expect(formatted.path).toEqual(['imageTask']);
    },
  );

  it('masks an unexpected error: no message, no stack', () => {
    const formatted = production(...thrownInResolver(new TypeError('cannot read secretKey of undefined')));
    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['imageTask'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('keeps our own GraphQL errors as they are, without the stack', () => {
    const formatted = production(...thrownInResolver(badUserInput('taskId must not be empty')));
    expect(formatted.message).toBe('taskId must not be empty');
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('shows stack traces only in development', () => {
    const formatted = development(...thrownInResolver(new TypeError('boom')));
    expect(formatted.message).toBe('boom');
    expect(formatted.extensions?.stacktrace).toBeDefined();
  });

  it("gives Apollo's code-less 4xx refusals (bad persisted-query extension) BAD_USER_INPUT, not INTERNAL_SERVER_ERROR", () => {
    const apollo = new GraphQLError('Unsupported persisted query version', {
      extensions: { http: { status: 400, headers: new Map() } },
    });
    const formatted = production({ message: apollo.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, apollo);
    expect(formatted).toEqual({
      message: 'Unsupported persisted query version',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('still masks a code-less error without a client status', () => {
    const formatted = production(
      { message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      new GraphQLError('boom'),
    );
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
