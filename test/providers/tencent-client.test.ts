/**
 * The MPS client against the real emulator over HTTP (node-fetch, real sockets).
 * Clocks are injected on both sides, so skew is a value, not a wait.
 */
import fetch from 'node-fetch';
import { EMULATOR_CREDENTIALS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { ProviderError } from '../../src/providers/errors.js';
import { createAgentChooser } from '../../src/providers/http.js';
import {
  createMpsClient,
  interpretDescribeImageTaskDetailReply,
  type MpsClient,
} from '../../src/providers/tencent/client.js';
import type { TencentCredentials } from '../../src/config/index.js';

const T0 = Date.parse('2026-05-01T08:00:00Z');
const DOC_TASK_ID = '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4';
const STS: Required<TencentCredentials> = {
  secretId: 'AKIDSTSTEMPORARY0000000000000000TC3E',
  secretKey: 'TemporarySecretKeyForStsTests0000',
  sessionToken: 'sts-session-token-for-tests-0123456789',
};
const WRONG_SECRET_KEY = 'ThisIsTheWrongSecretKeyDoNotLeak!';
/** Every secret any test uses: none may appear in any error. */
const SECRETS = [
  EMULATOR_CREDENTIALS.tencent.secretKey,
  STS.secretKey,
  STS.sessionToken,
  WRONG_SECRET_KEY,
  'wrong-token-value-xyz',
];

let emulator: RunningEmulator;
const agent = createAgentChooser();

beforeAll(async () => {
  emulator = await startEmulator({
    now: () => T0,
    tencentCredentials: [
      { ...EMULATOR_CREDENTIALS.tencent },
      { secretId: STS.secretId, secretKey: STS.secretKey, token: STS.sessionToken },
    ],
  });
});

afterAll(async () => {
  await emulator.close();
  agent.destroy();
});

afterEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

interface ClientOptions {
  readonly credentials?: TencentCredentials;
  readonly now?: () => number;
  readonly timeoutMs?: number;
  readonly region?: string;
}

function mps(options: ClientOptions = {}): MpsClient {
  return createMpsClient({
    fetch,
    now: options.now ?? (() => T0),
    config: {
      endpoint: emulator.url,
      credentials: options.credentials ?? { ...EMULATOR_CREDENTIALS.tencent },
      ...(options.region !== undefined && { region: options.region }),
    },
    timeoutMs: options.timeoutMs ?? 5000,
    agent,
  });
}

/** The ProviderError a call rejects with, checked for leaked secrets on the way. */
async function failure(call: Promise<unknown>): Promise<ProviderError> {
  const error = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (reason: unknown) => reason,
  );
  if (!(error instanceof ProviderError)) throw error;
  const visible = `${error.message}\n${error.stack ?? ''}\n${JSON.stringify(error)}`;
  for (const secret of SECRETS) expect(visible).not.toContain(secret);
  return error;
}

function lastCall() {
  const calls = emulator.calls();
  const call = calls[calls.length - 1];
  if (!call) throw new Error('the emulator recorded no call');
  return call;
}

describe('MPS client against the emulator', () => {
  describe('success', () => {
    it('returns the doc example task and its RequestId', async () => {
      const result = await mps().describeImageTaskDetail(DOC_TASK_ID);
      expect(result.response).toMatchObject({
        CreateTime: '2025-05-16T07:44:26Z',
        FinishTime: '2025-05-16T07:44:30Z',
        Status: 'FINISH',
        TaskType: 'WorkflowTask',
      });
      expect(typeof result.requestId).toBe('string');
      expect(result.response.RequestId).toBe(result.requestId);
      expect(emulator.callCount({ provider: 'tencent-mps', taskId: DOC_TASK_ID })).toBe(1);
    });

    it('makes exactly one attempt per call', async () => {
      const client = mps();
      await client.describeImageTaskDetail(DOC_TASK_ID);
      await client.describeImageTaskDetail(DOC_TASK_ID);
      expect(emulator.callCount({ provider: 'tencent-mps', action: 'DescribeImageTaskDetail' })).toBe(2);
    });

    it('sends a masked id with * in the JSON body unchanged', async () => {
      const maskedId = '24******-WorkflowTask-***************tt6';
      const result = await mps().describeImageTaskDetail(maskedId);
      expect(result.response.Status).toBe('PROCESSING');
      expect(lastCall().body).toBe(JSON.stringify({ TaskId: maskedId }));
    });
  });

  describe('the wire request as the emulator recorded it', () => {
    it('is POST / with the exact JSON body and the documented headers', async () => {
      await mps().describeImageTaskDetail(DOC_TASK_ID);
      const call = lastCall();
      expect(call).toMatchObject({
        provider: 'tencent-mps',
        action: 'DescribeImageTaskDetail',
        taskId: DOC_TASK_ID,
        method: 'POST',
        url: '/',
      });
      expect(call.body).toBe(`{"TaskId":"${DOC_TASK_ID}"}`);
      expect(call.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        host: new URL(emulator.url).host,
        'x-tc-action': 'DescribeImageTaskDetail',
        'x-tc-version': '2019-06-12',
        'x-tc-timestamp': String(T0 / 1000),
      });
      expect(call.headers['authorization']).toMatch(
        new RegExp(
          `^TC3-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.tencent.secretId}/2026-05-01/mps/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$`,
        ),
      );
      expect(call.headers['x-tc-region']).toBeUndefined();
      expect(call.headers['x-tc-token']).toBeUndefined();
    });

    it('sends X-TC-Region when configured, and it does not disturb the signature', async () => {
      await mps({ region: 'ap-guangzhou' }).describeImageTaskDetail(DOC_TASK_ID);
      expect(lastCall().headers['x-tc-region']).toBe('ap-guangzhou');
      expect(lastCall().outcome).toBe('ok');
    });

    it('re-signs every call with a fresh timestamp from the injected clock', async () => {
      let now = T0;
      const client = mps({ now: () => now });
      await client.describeImageTaskDetail(DOC_TASK_ID);
      now += 61_000;
      await client.describeImageTaskDetail(DOC_TASK_ID);
      const [first, second] = emulator.calls();
      expect(first?.headers['x-tc-timestamp']).toBe(String(T0 / 1000));
      expect(second?.headers['x-tc-timestamp']).toBe(String(T0 / 1000 + 61));
      expect(first?.headers['authorization']).not.toBe(second?.headers['authorization']);
      expect(emulator.calls().map((call) => call.outcome)).toEqual(['ok', 'ok']);
    });
  });

  describe('provider errors', () => {
    it('maps ResourceNotFound to NOT_FOUND with code, message and RequestId', async () => {
      const error = await failure(
        mps().describeImageTaskDetail('24000089-WorkflowTask-00000000000000000000000000000000'),
      );
      expect(error).toMatchObject({
        provider: 'tencent-mps',
        kind: 'NOT_FOUND',
        providerCode: 'ResourceNotFound',
        retryable: false,
        httpStatus: 200,
      });
      expect(error.message).toMatch(/^tencent-mps ResourceNotFound: /);
      expect(typeof error.requestId).toBe('string');
    });

    it('maps an empty TaskId to BAD_INPUT', async () => {
      const error = await failure(mps().describeImageTaskDetail(''));
      expect(error).toMatchObject({ kind: 'BAD_INPUT', providerCode: 'InvalidParameterValue' });
    });
  });

  describe('authentication', () => {
    it('is rejected with a wrong secret key (AuthFailure.SignatureFailure)', async () => {
      const credentials = { secretId: EMULATOR_CREDENTIALS.tencent.secretId, secretKey: WRONG_SECRET_KEY };
      const error = await failure(mps({ credentials }).describeImageTaskDetail(DOC_TASK_ID));
      expect(error).toMatchObject({
        kind: 'AUTH_FAILED',
        providerCode: 'AuthFailure.SignatureFailure',
        retryable: false,
      });
    });

    it('is rejected with an unknown secret id (AuthFailure.SecretIdNotFound)', async () => {
      const credentials = { secretId: 'AKIDUNKNOWN000000000000000000000000', secretKey: WRONG_SECRET_KEY };
      const error = await failure(mps({ credentials }).describeImageTaskDetail(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'AUTH_FAILED', providerCode: 'AuthFailure.SecretIdNotFound' });
    });

    it('sends the STS session token as X-TC-Token and is accepted', async () => {
      const result = await mps({ credentials: STS }).describeImageTaskDetail(DOC_TASK_ID);
      expect(result.response.Status).toBe('FINISH');
      expect(lastCall().headers['x-tc-token']).toBe(STS.sessionToken);
    });

    it('is rejected with a wrong session token (AuthFailure.TokenFailure)', async () => {
      const credentials = { ...STS, sessionToken: 'wrong-token-value-xyz' };
      const error = await failure(mps({ credentials }).describeImageTaskDetail(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'AUTH_FAILED', providerCode: 'AuthFailure.TokenFailure' });
    });

    it('is rejected when the client clock is 10 minutes off (AuthFailure.SignatureExpire)', async () => {
      const ahead = await failure(mps({ now: () => T0 + 10 * 60_000 }).describeImageTaskDetail(DOC_TASK_ID));
      const behind = await failure(mps({ now: () => T0 - 10 * 60_000 }).describeImageTaskDetail(DOC_TASK_ID));
      for (const error of [ahead, behind])
        expect(error).toMatchObject({ kind: 'AUTH_FAILED', providerCode: 'AuthFailure.SignatureExpire' });
    });

    it('is accepted within the 5-minute window', async () => {
      await expect(mps({ now: () => T0 + 4 * 60_000 }).describeImageTaskDetail(DOC_TASK_ID)).resolves.toBeDefined();
    });
  });

  describe('faults', () => {
    it('throttle -> RATE_LIMITED, retryable', async () => {
      emulator.injectFault({ provider: 'tencent-mps' }, { kind: 'throttle' });
      const error = await failure(mps().describeImageTaskDetail(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'RATE_LIMITED', retryable: true, providerCode: 'RequestLimitExceeded' });
    });

    it('internal-error -> UPSTREAM_UNAVAILABLE, retryable', async () => {
      emulator.injectFault({ provider: 'tencent-mps' }, { kind: 'internal-error' });
      const error = await failure(mps().describeImageTaskDetail(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE', retryable: true, providerCode: 'InternalError' });
    });

    it('unavailable -> UPSTREAM_UNAVAILABLE with the Retry-After delay', async () => {
      emulator.injectFault({ provider: 'tencent-mps' }, { kind: 'unavailable', retryAfterSeconds: 7 });
      const error = await failure(mps().describeImageTaskDetail(DOC_TASK_ID));
      expect(error).toMatchObject({
        kind: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        httpStatus: 503,
        retryAfterMs: 7000,
      });
      expect(error.providerCode).toBeUndefined();
    });

    it('non-json -> UPSTREAM_BAD_RESPONSE, not retryable', async () => {
      emulator.injectFault({ provider: 'tencent-mps' }, { kind: 'non-json' });
      const error = await failure(mps().describeImageTaskDetail(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'UPSTREAM_BAD_RESPONSE', retryable: false, httpStatus: 200 });
      expect(error.message).toBe('tencent-mps returned an unusable response: body is not JSON');
    });

    it('drop-connection -> UPSTREAM_UNAVAILABLE network error', async () => {
      emulator.injectFault({ provider: 'tencent-mps' }, { kind: 'drop-connection' });
      const error = await failure(mps().describeImageTaskDetail(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(error.message).toMatch(/^tencent-mps network error: [A-Z0-9_]+$/);
    });

    it('hang past a 200 ms client timeout -> UPSTREAM_UNAVAILABLE "timed out"', async () => {
      emulator.injectFault({ provider: 'tencent-mps' }, { kind: 'hang' });
      const error = await failure(mps({ timeoutMs: 200 }).describeImageTaskDetail(DOC_TASK_ID));
      expect(error).toMatchObject({
        kind: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        message: 'tencent-mps timed out after 200 ms',
      });
      expect(emulator.callCount({ provider: 'tencent-mps' })).toBe(1);
    });

    it('a fault limited to one attempt affects only that call', async () => {
      emulator.injectFault({ provider: 'tencent-mps', taskId: DOC_TASK_ID }, { kind: 'internal-error', times: 1 });
      const client = mps();
      await failure(client.describeImageTaskDetail(DOC_TASK_ID));
      await expect(client.describeImageTaskDetail(DOC_TASK_ID)).resolves.toBeDefined();
      expect(emulator.calls().map((call) => call.outcome)).toEqual(['internal-error', 'ok']);
    });

    it('a caller abort is not retryable', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await failure(mps().describeImageTaskDetail(DOC_TASK_ID, { signal: controller.signal }));
      expect(error).toMatchObject({
        kind: 'UPSTREAM_UNAVAILABLE',
        retryable: false,
        message: 'tencent-mps request aborted by the caller',
      });
    });
  });
});

describe('MPS reply interpretation', () => {
  const reply = (status: number, bodyText: string) => ({ status, bodyText, retryAfterMs: undefined });
  const rejection = (status: number, bodyText: string): ProviderError => {
    try {
      interpretDescribeImageTaskDetailReply(reply(status, bodyText));
    } catch (error) {
      if (error instanceof ProviderError) return error;
      throw error;
    }
    throw new Error('expected a ProviderError');
  };

  it.each([
    ['JSON without Response', 200, '{"RequestId":"x"}', 'no Response object'],
    ['Response that is not an object', 200, '{"Response":"oops"}', 'no Response object'],
    ['JSON null', 200, 'null', 'no Response object'],
    ['an empty body', 200, '', 'body is not JSON'],
    [
      'Error without Code',
      200,
      '{"Response":{"Error":{"Message":"m"},"RequestId":"r"}}',
      'Response.Error without a Code',
    ],
  ])('rejects %s as UPSTREAM_BAD_RESPONSE', (_name, status, body, reason) => {
    const error = rejection(status, body);
    expect(error.kind).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toBe(`tencent-mps returned an unusable response: ${reason}`);
  });

  it('classifies a gateway 502 page by its status', () => {
    expect(rejection(502, '<html>Bad Gateway</html>')).toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE', httpStatus: 502 });
  });

  it('prefers Response.Error over a non-200 status', () => {
    const error = rejection(500, '{"Response":{"Error":{"Code":"ResourceNotFound","Message":"gone"},"RequestId":"r"}}');
    expect(error).toMatchObject({
      kind: 'NOT_FOUND',
      requestId: 'r',
      httpStatus: 500,
      message: 'tencent-mps ResourceNotFound: gone',
    });
  });

  it('tolerates extra and null fields: field types are the parsers’ business', () => {
    const result = interpretDescribeImageTaskDetailReply(
      reply(200, '{"Response":{"Status":null,"Novel":1,"RequestId":"r"}}'),
    );
    expect(result).toEqual({ response: { Status: null, Novel: 1, RequestId: 'r' }, requestId: 'r' });
  });
});
