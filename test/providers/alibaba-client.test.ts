/**
 * The ICE client against the real emulator over HTTP (node-fetch, real sockets).
 * Clock and nonce are injected, so skew and replay are values, not waits.
 */
import fetch from 'node-fetch';
import { EMULATOR_CREDENTIALS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { AlibabaCredentials } from '../../src/config/index.js';
import {
  createIceClient,
  interpretGetAIWorkflowTaskReply,
  randomNonce,
  type IceClient,
} from '../../src/providers/alibaba/client.js';
import { EMPTY_BODY_SHA256 } from '../../src/providers/alibaba/signer.js';
import { ProviderError } from '../../src/providers/errors.js';
import { createAgentChooser } from '../../src/providers/http.js';

const T0 = Date.parse('2026-05-01T08:00:00Z');
/** The GetAIWorkflowTask doc example, id masked by the provider (the `*` must be %2A on the wire). */
const DOC_TASK_ID = '********-67fd-43aa-9cc1-3e7f********';
const STS: Required<AlibabaCredentials> = {
  accessKeyId: 'STS.NUexampleTemporaryAccessKey',
  accessKeySecret: 'TemporaryAccessKeySecretForStsTests',
  securityToken: 'sts-security-token-for-tests-0123456789',
};
const WRONG_SECRET = 'ThisIsTheWrongAccessKeySecretDoNotLeak';
const SECRETS = [
  EMULATOR_CREDENTIALS.alibaba.accessKeySecret,
  STS.accessKeySecret,
  STS.securityToken,
  WRONG_SECRET,
  'wrong-token-value-xyz',
];

let emulator: RunningEmulator;
const agent = createAgentChooser();

beforeAll(async () => {
  emulator = await startEmulator({
    now: () => T0,
    alibabaCredentials: [
      { ...EMULATOR_CREDENTIALS.alibaba },
      { accessKeyId: STS.accessKeyId, accessKeySecret: STS.accessKeySecret, securityToken: STS.securityToken },
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
  readonly credentials?: AlibabaCredentials;
  readonly now?: () => number;
  readonly nonce?: () => string;
  readonly timeoutMs?: number;
}

function ice(options: ClientOptions = {}): IceClient {
  return createIceClient({
    fetch,
    now: options.now ?? (() => T0),
    randomNonce: options.nonce ?? randomNonce,
    config: {
      endpoint: emulator.url,
      region: 'cn-shanghai',
      credentials: options.credentials ?? { ...EMULATOR_CREDENTIALS.alibaba },
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

describe('ICE client against the emulator', () => {
  describe('success', () => {
    it('returns the doc example task and its RequestId', async () => {
      const result = await ice().getAIWorkflowTask(DOC_TASK_ID);
      expect(result.body.WorkflowTask).toMatchObject({
        TaskId: DOC_TASK_ID,
        Status: 'succeeded',
        CreateTime: '2025-07-28T02:17:26Z',
        FinishTime: '2025-08-19T02:28:22Z',
        Workflow: { Name: 'RealtimeTranslation', Status: 'Draft', Type: 'Live' },
      });
      expect(typeof result.requestId).toBe('string');
      expect(result.body.RequestId).toBe(result.requestId);
      expect(emulator.callCount({ provider: 'alibaba-ice', taskId: DOC_TASK_ID })).toBe(1);
    });

    it('makes exactly one attempt per call', async () => {
      const client = ice();
      await client.getAIWorkflowTask(DOC_TASK_ID);
      await client.getAIWorkflowTask(DOC_TASK_ID);
      expect(emulator.callCount({ provider: 'alibaba-ice', action: 'GetAIWorkflowTask' })).toBe(2);
    });
  });

  describe('the wire request as the emulator recorded it', () => {
    it('is POST /?TaskId=… with an empty body and every x-acs-* header signed', async () => {
      await ice({ nonce: () => '0123456789abcdef0123456789abcdef' }).getAIWorkflowTask(DOC_TASK_ID);
      const call = lastCall();
      expect(call).toMatchObject({
        provider: 'alibaba-ice',
        action: 'GetAIWorkflowTask',
        taskId: DOC_TASK_ID,
        method: 'POST',
        body: '',
      });
      expect(call.url).toBe('/?TaskId=%2A%2A%2A%2A%2A%2A%2A%2A-67fd-43aa-9cc1-3e7f%2A%2A%2A%2A%2A%2A%2A%2A');
      expect(call.headers).toMatchObject({
        host: new URL(emulator.url).host,
        'x-acs-action': 'GetAIWorkflowTask',
        'x-acs-version': '2020-11-09',
        'x-acs-date': '2026-05-01T08:00:00Z',
        'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef',
        'x-acs-content-sha256': EMPTY_BODY_SHA256,
        accept: 'application/json',
      });
      expect(call.headers['authorization']).toMatch(
        new RegExp(
          `^ACS3-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.alibaba.accessKeyId},SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$`,
        ),
      );
      expect(call.headers['content-type']).toBeUndefined();
      expect(call.headers['x-acs-security-token']).toBeUndefined();
      expect(call.outcome).toBe('ok');
    });

    it('puts the canonical RFC 3986 query on the wire for an id with spaces, * and /', async () => {
      const error = await failure(ice().getAIWorkflowTask('a b*c~/'));
      // The signature verified (the emulator re-canonicalises what it received) and the task is unknown.
      expect(error).toMatchObject({ kind: 'NOT_FOUND' });
      expect(lastCall().url).toBe('/?TaskId=a%20b%2Ac~%2F');
      expect(lastCall().taskId).toBe('a b*c~/');
    });

    it('uses a fresh nonce and date for every call', async () => {
      let now = T0;
      let counter = 0;
      const client = ice({ now: () => now, nonce: () => `nonce-${(counter += 1)}` });
      await client.getAIWorkflowTask(DOC_TASK_ID);
      now += 1000;
      await client.getAIWorkflowTask(DOC_TASK_ID);
      const [first, second] = emulator.calls();
      expect(first?.headers['x-acs-signature-nonce']).toBe('nonce-1');
      expect(second?.headers['x-acs-signature-nonce']).toBe('nonce-2');
      expect(first?.headers['x-acs-date']).toBe('2026-05-01T08:00:00Z');
      expect(second?.headers['x-acs-date']).toBe('2026-05-01T08:00:01Z');
      expect(emulator.calls().map((call) => call.outcome)).toEqual(['ok', 'ok']);
    });

    it('the default nonce is 32 random hex characters', () => {
      const nonces = new Set(Array.from({ length: 100 }, () => randomNonce()));
      expect(nonces.size).toBe(100);
      for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    });

    it('a reused nonce is SignatureNonceUsed: AUTH_FAILED but retryable', async () => {
      const client = ice({ nonce: () => 'the-same-nonce-every-time' });
      await client.getAIWorkflowTask(DOC_TASK_ID);
      const error = await failure(client.getAIWorkflowTask(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'AUTH_FAILED', providerCode: 'SignatureNonceUsed', retryable: true });
    });
  });

  describe('provider errors', () => {
    it('maps an unknown task (HTTP 404) to NOT_FOUND with code, message and RequestId', async () => {
      const error = await failure(ice().getAIWorkflowTask('00000000-0000-0000-0000-000000000000'));
      expect(error).toMatchObject({ provider: 'alibaba-ice', kind: 'NOT_FOUND', httpStatus: 404, retryable: false });
      expect(error.message).toMatch(new RegExp(`^alibaba-ice ${error.providerCode}: `));
      expect(typeof error.requestId).toBe('string');
    });

    it('maps an empty TaskId to BAD_INPUT', async () => {
      const error = await failure(ice().getAIWorkflowTask(''));
      expect(error).toMatchObject({ kind: 'BAD_INPUT', httpStatus: 400 });
    });
  });

  describe('authentication', () => {
    it('is rejected with a wrong secret (SignatureDoesNotMatch)', async () => {
      const credentials = { accessKeyId: EMULATOR_CREDENTIALS.alibaba.accessKeyId, accessKeySecret: WRONG_SECRET };
      const error = await failure(ice({ credentials }).getAIWorkflowTask(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'AUTH_FAILED', providerCode: 'SignatureDoesNotMatch', retryable: false });
    });

    it('is rejected with an unknown AccessKeyId, as AUTH_FAILED and not as task-not-found', async () => {
      const credentials = { accessKeyId: 'LTAI5tUnknownKey0000000000', accessKeySecret: WRONG_SECRET };
      const error = await failure(ice({ credentials }).getAIWorkflowTask(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'AUTH_FAILED', providerCode: 'InvalidAccessKeyId.NotFound' });
    });

    it('sends the STS token as a signed x-acs-security-token and is accepted', async () => {
      const result = await ice({ credentials: STS }).getAIWorkflowTask(DOC_TASK_ID);
      expect(result.body.WorkflowTask.TaskId).toBe(DOC_TASK_ID);
      expect(lastCall().headers['x-acs-security-token']).toBe(STS.securityToken);
      expect(lastCall().headers['authorization']).toContain(
        'SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,',
      );
    });

    it('is rejected with a wrong STS token', async () => {
      const credentials = { ...STS, securityToken: 'wrong-token-value-xyz' };
      const error = await failure(ice({ credentials }).getAIWorkflowTask(DOC_TASK_ID));
      expect(error.kind).toBe('AUTH_FAILED');
      expect(error.providerCode).toMatch(/^InvalidSecurityToken\./);
    });

    it('is rejected when the client clock is 20 minutes off (InvalidTimeStamp.Expired)', async () => {
      const ahead = await failure(ice({ now: () => T0 + 20 * 60_000 }).getAIWorkflowTask(DOC_TASK_ID));
      const behind = await failure(ice({ now: () => T0 - 20 * 60_000 }).getAIWorkflowTask(DOC_TASK_ID));
      for (const error of [ahead, behind])
        expect(error).toMatchObject({ kind: 'AUTH_FAILED', providerCode: 'InvalidTimeStamp.Expired' });
    });

    it('is accepted within the 15-minute window', async () => {
      await expect(ice({ now: () => T0 + 14 * 60_000 }).getAIWorkflowTask(DOC_TASK_ID)).resolves.toBeDefined();
    });
  });

  describe('faults', () => {
    it('throttle -> RATE_LIMITED, retryable, with the Retry-After delay', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'throttle', retryAfterSeconds: 3 });
      const error = await failure(ice().getAIWorkflowTask(DOC_TASK_ID));
      expect(error).toMatchObject({
        kind: 'RATE_LIMITED',
        retryable: true,
        providerCode: 'Throttling.User',
        httpStatus: 429,
        retryAfterMs: 3000,
      });
    });

    it('internal-error -> UPSTREAM_UNAVAILABLE, retryable', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'internal-error' });
      const error = await failure(ice().getAIWorkflowTask(DOC_TASK_ID));
      expect(error).toMatchObject({
        kind: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        providerCode: 'InternalError',
        httpStatus: 500,
      });
    });

    it('unavailable -> UPSTREAM_UNAVAILABLE', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'unavailable' });
      const error = await failure(ice().getAIWorkflowTask(DOC_TASK_ID));
      expect(error).toMatchObject({
        kind: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        httpStatus: 503,
        retryAfterMs: undefined,
      });
    });

    it('non-json -> UPSTREAM_BAD_RESPONSE, not retryable', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'non-json' });
      const error = await failure(ice().getAIWorkflowTask(DOC_TASK_ID));
      expect(error).toMatchObject({
        kind: 'UPSTREAM_BAD_RESPONSE',
        retryable: false,
        message: 'alibaba-ice returned an unusable response: body is not JSON',
      });
    });

    it('drop-connection -> UPSTREAM_UNAVAILABLE network error', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'drop-connection' });
      const error = await failure(ice().getAIWorkflowTask(DOC_TASK_ID));
      expect(error).toMatchObject({ kind: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(error.message).toMatch(/^alibaba-ice network error: [A-Z0-9_]+$/);
    });

    it('hang past a 200 ms client timeout -> UPSTREAM_UNAVAILABLE "timed out"', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'hang' });
      const error = await failure(ice({ timeoutMs: 200 }).getAIWorkflowTask(DOC_TASK_ID));
      expect(error).toMatchObject({
        kind: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        message: 'alibaba-ice timed out after 200 ms',
      });
      expect(emulator.callCount({ provider: 'alibaba-ice' })).toBe(1);
    });

    it('a caller abort while the provider hangs ends the attempt, not retryable', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'hang' });
      const controller = new AbortController();
      const call = failure(ice().getAIWorkflowTask(DOC_TASK_ID, { signal: controller.signal }));
      while (emulator.callCount({ provider: 'alibaba-ice' }) === 0)
        await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      expect(await call).toMatchObject({
        kind: 'UPSTREAM_UNAVAILABLE',
        retryable: false,
        message: 'alibaba-ice request aborted by the caller',
      });
    });
  });
});

describe('ICE reply interpretation', () => {
  const reply = (status: number, bodyText: string, retryAfterMs?: number) => ({ status, bodyText, retryAfterMs });
  const rejection = (status: number, bodyText: string, retryAfterMs?: number): ProviderError => {
    try {
      interpretGetAIWorkflowTaskReply(reply(status, bodyText, retryAfterMs));
    } catch (error) {
      if (error instanceof ProviderError) return error;
      throw error;
    }
    throw new Error('expected a ProviderError');
  };

  it.each([
    ['200 without WorkflowTask', '{"RequestId":"r"}', 'no WorkflowTask object'],
    ['200 with WorkflowTask null', '{"RequestId":"r","WorkflowTask":null}', 'no WorkflowTask object'],
    ['200 with WorkflowTask as a string', '{"RequestId":"r","WorkflowTask":"{}"}', 'no WorkflowTask object'],
    ['a JSON array', '[]', 'body is not a JSON object'],
    ['HTML', '<html></html>', 'body is not JSON'],
  ])('rejects %s as UPSTREAM_BAD_RESPONSE', (_name, body, reason) => {
    const error = rejection(200, body);
    expect(error.kind).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toBe(`alibaba-ice returned an unusable response: ${reason}`);
  });

  it('classifies an error body sent with HTTP 200', () => {
    const error = rejection(
      200,
      '{"RequestId":"r","HostId":"h","Code":"Throttling.Api","Message":"slow","Recommend":"u"}',
    );
    expect(error).toMatchObject({
      kind: 'RATE_LIMITED',
      requestId: 'r',
      httpStatus: 200,
      message: 'alibaba-ice Throttling.Api: slow',
    });
  });

  it('classifies a bare 404 page as a bad response, not as task-not-found', () => {
    expect(rejection(404, '<html>Not Found</html>')).toMatchObject({ kind: 'UPSTREAM_BAD_RESPONSE', httpStatus: 404 });
  });

  it('classifies a 404 with an error body as NOT_FOUND', () => {
    const error = rejection(404, '{"RequestId":"r","Code":"Task.NotFound","Message":"no such task"}');
    expect(error).toMatchObject({ kind: 'NOT_FOUND', providerCode: 'Task.NotFound' });
  });

  it('keeps Retry-After on a bodiless 429', () => {
    expect(rejection(429, '', 4000)).toMatchObject({ kind: 'RATE_LIMITED', retryAfterMs: 4000 });
  });

  it('passes field values through untouched: string or object, the parsers decide', () => {
    const result = interpretGetAIWorkflowTaskReply(
      reply(200, '{"RequestId":"r","WorkflowTask":{"Inputs":"{\\"a\\":1}","Outputs":{"b":2}}}'),
    );
    expect(result).toEqual({
      body: { RequestId: 'r', WorkflowTask: { Inputs: '{"a":1}', Outputs: { b: 2 } } },
      requestId: 'r',
    });
  });
});
