import { ALIBABA_TASK_NOT_FOUND_CODE, SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { signAcs3 } from '../../src/providers/alibaba/signer.js';
import { sha256Hex } from '../../src/providers/crypto.js';
import {
  NOW_MS,
  alibabaRequest,
  errorCode,
  fixedClock,
  flipLastSignatureChar,
  json,
  send,
  type WireRequest,
} from './helpers.js';

const STS = {
  accessKeyId: 'STS.NUemulator000000000000',
  accessKeySecret: 'StsAccessKeySecret000000000000',
  securityToken: 'sts-token-1',
};
const PERMANENT = { accessKeyId: 'LTAI5tPermanent000000000', accessKeySecret: 'PermanentAccessKeySecret000000' };
const FIFTEEN_MINUTES = 15 * 60 * 1000;

describe('Alibaba ICE emulator: GetAIWorkflowTask', () => {
  let emulator: RunningEmulator;
  const call = (request: WireRequest) => send(emulator.url, request);
  const signed = (options: Parameters<typeof alibabaRequest>[1] = {}) =>
    alibabaRequest(emulator.url, { credentials: PERMANENT, ...options });

  beforeAll(async () => {
    emulator = await startEmulator({ now: fixedClock, alibabaCredentials: [STS, PERMANENT] });
  });
  afterAll(() => emulator.close());

  describe('accepts a correctly signed request', () => {
    it('POST returns the seeded task with a fresh RequestId', async () => {
      const response = await call(signed({ taskId: SEED.workflow.succeeded }));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json;charset=utf-8');
      const body = json(response);
      expect(body['RequestId']).toMatch(/^[0-9A-F-]{36}$/);
      expect(response.headers['x-acs-request-id']).toBe(body['RequestId']);
      expect(body['WorkflowTask']).toMatchObject({ TaskId: SEED.workflow.succeeded, Status: 'succeeded' });
    });

    it('GET works the same (RPC APIs accept both)', async () => {
      const response = await call(signed({ method: 'GET', taskId: SEED.workflow.running }));
      expect(response.status).toBe(200);
      expect(json(response)['WorkflowTask']).toMatchObject({ Status: 'running' });
    });

    it('serves the doc example verbatim: twice-escaped Inputs, unparseable Graph, object Outputs', async () => {
      const response = await call(signed({ taskId: SEED.workflow.docExample }));
      expect(response.text).toContain(
        String.raw`"Inputs":"{\\\"source_language_id\\\":\\\"en\\\",\\\"live_id\\\":123,\\\"live_url\\\":{\\\"url\\\":\\\"rtmp://test.com.cn/video/638d9088fe4f15ce\\\"}}"`,
      );
      expect(response.text).toContain(String.raw`"Graph":"{\n\"nodes\":[...],\n\"edges\":[...]\n}"`);
      const task = json(response)['WorkflowTask'] as Record<string, unknown>;
      expect(task['TaskId']).toBe('********-67fd-43aa-9cc1-3e7f********');
      expect(task['NodeResults']).toBe('{...}');
      expect(task['Outputs']).toEqual({ result: 'test' });
      expect(task['UserData']).toEqual({ NotifyAddress: 'http://xx.xx.xxx' });
    });

    it('accepts the published GetAIWorkflowTask vectors A (POST) and E (STS) byte for byte', async () => {
      const vectorEmulator = await startEmulator({
        now: () => Date.parse('2026-01-01T00:00:00Z'),
        alibabaCredentials: [{ accessKeyId: 'LTAIEXAMPLE', accessKeySecret: 'SECRETEXAMPLE' }],
      });
      const stsEmulator = await startEmulator({
        now: () => Date.parse('2026-01-01T00:00:00Z'),
        alibabaCredentials: [
          { accessKeyId: 'LTAIEXAMPLE', accessKeySecret: 'SECRETEXAMPLE', securityToken: 'STSTOKENEXAMPLE' },
        ],
      });
      const headers = {
        host: 'ice.cn-shanghai.aliyuncs.com',
        'x-acs-action': 'GetAIWorkflowTask',
        'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-acs-date': '2026-01-01T00:00:00Z',
        'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef',
        'x-acs-version': '2020-11-09',
      };
      try {
        vectorEmulator.putWorkflowTask('abc-123', { TaskId: 'abc-123', Status: 'running' });
        const a = await send(vectorEmulator.url, {
          method: 'POST',
          path: '/?TaskId=abc-123',
          headers: {
            ...headers,
            Authorization:
              'ACS3-HMAC-SHA256 Credential=LTAIEXAMPLE,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;' +
              'x-acs-signature-nonce;x-acs-version,Signature=e8cc3f18b10aa0abbeee5b7fbec66e83b42ed939916cb353d37d3163ebdea772',
          },
          body: '',
        });
        expect(a.status).toBe(200);
        expect(json(a)['WorkflowTask']).toEqual({ TaskId: 'abc-123', Status: 'running' });

        const e = await send(stsEmulator.url, {
          method: 'POST',
          path: '/?TaskId=abc-123',
          headers: {
            ...headers,
            'x-acs-security-token': 'STSTOKENEXAMPLE',
            Authorization:
              'ACS3-HMAC-SHA256 Credential=LTAIEXAMPLE,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;' +
              'x-acs-security-token;x-acs-signature-nonce;x-acs-version,Signature=a36652cfedceee72a120f85d54817bcccc9b250592118d62a3c20b4b47aace8c',
          },
          body: '',
        });
        // Authenticated; the task is simply not in this emulator's store.
        expect([e.status, errorCode(e)]).toEqual([404, ALIBABA_TASK_NOT_FOUND_CODE]);
      } finally {
        await vectorEmulator.close();
        await stsEmulator.close();
      }
    });

    it('re-canonicalises the query it received: a+b%2ac~%2f verifies like the canonical a%20b%2Ac~%2F', async () => {
      const request = signed({ taskId: 'a b*c~/' });
      expect(request.path).toBe('/?TaskId=a%20b%2Ac~%2F');
      request.path = '/?TaskId=a+b%2ac~%2f';
      const response = await call(request);
      expect([response.status, errorCode(response)]).toEqual([404, ALIBABA_TASK_NOT_FOUND_CODE]);
    });

    it('accepts the SDK telemetry header when it is signed', async () => {
      const response = await call(signed({ extraSignedHeaders: { 'x-acs-credentials-provider': 'static_ak' } }));
      expect(response.status).toBe(200);
    });

    it('accepts x-acs-date exactly 15 minutes either side of server time', async () => {
      for (const dateMs of [NOW_MS - FIFTEEN_MINUTES, NOW_MS + FIFTEEN_MINUTES]) {
        expect((await call(signed({ dateMs }))).status).toBe(200);
      }
    });

    it('accepts STS credentials with their security token', async () => {
      const response = await call(alibabaRequest(emulator.url, { credentials: STS, securityToken: STS.securityToken }));
      expect(response.status).toBe(200);
    });
  });

  describe('rejects a forged or altered request', () => {
    it('400 SignatureDoesNotMatch when one hex character of the signature is flipped', async () => {
      const request = signed();
      request.headers['Authorization'] = flipLastSignatureChar(request.headers['Authorization'] ?? '');
      const response = await call(request);
      expect([response.status, errorCode(response)]).toEqual([400, 'SignatureDoesNotMatch']);
    });

    it('400 SignatureDoesNotMatch when a body byte is added after signing (x-acs-content-sha256 no longer matches)', async () => {
      const request = signed();
      request.body = 'x';
      const response = await call(request);
      expect([response.status, errorCode(response)]).toEqual([400, 'SignatureDoesNotMatch']);
    });

    it('400 SignatureDoesNotMatch when a body byte changes and the client re-hashed it without re-signing', async () => {
      const request = signed({ body: 'TaskId=1' });
      request.body = 'TaskId=2';
      request.headers['x-acs-content-sha256'] = sha256Hex('TaskId=2');
      const response = await call(request);
      expect(errorCode(response)).toBe('SignatureDoesNotMatch');
    });

    it('400 SignatureDoesNotMatch when a signed header (the nonce) changes after signing', async () => {
      const request = signed();
      request.headers['x-acs-signature-nonce'] = 'ffffffffffffffffffffffffffffffff';
      expect(errorCode(await call(request))).toBe('SignatureDoesNotMatch');
    });

    it('400 SignatureDoesNotMatch when the query changes after signing', async () => {
      const request = signed({ taskId: SEED.workflow.succeeded });
      request.path = `/?TaskId=${SEED.workflow.failed}`;
      expect(errorCode(await call(request))).toBe('SignatureDoesNotMatch');
    });

    it('400 SignatureDoesNotMatch when the method changes after signing', async () => {
      const request = signed();
      request.method = 'GET';
      expect(errorCode(await call(request))).toBe('SignatureDoesNotMatch');
    });

    it('400 SignatureDoesNotMatch for the wrong secret', async () => {
      const response = await call(
        signed({ credentials: { accessKeyId: PERMANENT.accessKeyId, accessKeySecret: 'wrong' } }),
      );
      expect(errorCode(response)).toBe('SignatureDoesNotMatch');
    });
  });

  describe('authentication errors', () => {
    it.each([
      ['missing', undefined],
      ['not ACS3', 'Bearer abc'],
      [
        'spaced like TC3',
        'ACS3-HMAC-SHA256 Credential=LTAI5tPermanent000000000, SignedHeaders=host, Signature=' + 'a'.repeat(64),
      ],
    ])('400 IncompleteSignature when Authorization is %s', async (_case, authorization) => {
      const request = signed();
      if (authorization === undefined) delete request.headers['Authorization'];
      else request.headers['Authorization'] = authorization;
      const response = await call(request);
      expect([response.status, errorCode(response)]).toEqual([400, 'IncompleteSignature']);
    });

    it('400 IncompleteSignature when an x-acs-* header was sent unsigned', async () => {
      const request = signed();
      request.headers['x-acs-credentials-provider'] = 'static_ak';
      expect(errorCode(await call(request))).toBe('IncompleteSignature');
    });

    it('400 IncompleteSignature when host is not signed', async () => {
      const request = signed();
      const { host: _host, Authorization: _auth, accept: _accept, ...rest } = request.headers;
      const { authorization } = signAcs3(PERMANENT, {
        method: 'POST',
        query: { TaskId: SEED.workflow.succeeded },
        headers: rest,
        payload: '',
      });
      request.headers['Authorization'] = authorization;
      expect(errorCode(await call(request))).toBe('IncompleteSignature');
    });

    it('404 InvalidAccessKeyId.NotFound for an unknown key id', async () => {
      const response = await call(signed({ credentials: { accessKeyId: 'LTAIunknown', accessKeySecret: 'x' } }));
      expect([response.status, errorCode(response)]).toEqual([404, 'InvalidAccessKeyId.NotFound']);
    });

    it.each([
      ['with a space instead of T', '2026-05-04 08:00:00Z'],
      ['with milliseconds', '2026-05-04T08:00:00.000Z'],
      ['as an offset', '2026-05-04T16:00:00+08:00'],
      ['on an impossible day', '2026-02-30T08:00:00Z'],
      ['as epoch seconds', '1777881600'],
    ])('400 InvalidTimeStamp.Format for x-acs-date %s', async (_case, date) => {
      const response = await call(signed({ date }));
      expect([response.status, errorCode(response)]).toEqual([400, 'InvalidTimeStamp.Format']);
    });

    it.each([
      ['15 min 1 s behind', NOW_MS - FIFTEEN_MINUTES - 1000],
      ['15 min 1 s ahead', NOW_MS + FIFTEEN_MINUTES + 1000],
    ])('400 InvalidTimeStamp.Expired for x-acs-date %s', async (_case, dateMs) => {
      const response = await call(signed({ dateMs }));
      expect([response.status, errorCode(response)]).toEqual([400, 'InvalidTimeStamp.Expired']);
    });

    it('400 SignatureNonceUsed when a signed request is replayed, per AccessKey', async () => {
      const request = signed({ nonce: 'replayed000000000000000000000001' });
      expect((await call(request)).status).toBe(200);
      const replay = await call(request);
      expect([replay.status, errorCode(replay)]).toEqual([400, 'SignatureNonceUsed']);
      // The same nonce under another AccessKey is another caller's business.
      const other = alibabaRequest(emulator.url, {
        credentials: STS,
        securityToken: STS.securityToken,
        nonce: 'replayed000000000000000000000001',
      });
      expect((await call(other)).status).toBe(200);
    });

    it('does not burn a nonce on a request whose signature failed', async () => {
      const forged = signed({ nonce: 'forged00000000000000000000000001' });
      forged.headers['Authorization'] = flipLastSignatureChar(forged.headers['Authorization'] ?? '');
      expect(errorCode(await call(forged))).toBe('SignatureDoesNotMatch');
      expect((await call(signed({ nonce: 'forged00000000000000000000000001' }))).status).toBe(200);
    });

    it('forgets a nonce once its request date has left the 15-minute window', async () => {
      let now = NOW_MS;
      const clocked = await startEmulator({ now: () => now, alibabaCredentials: [PERMANENT] });
      try {
        const nonce = 'window0000000000000000000000001';
        expect((await send(clocked.url, alibabaRequest(clocked.url, { credentials: PERMANENT, nonce }))).status).toBe(
          200,
        );
        now = NOW_MS + 10 * 60 * 1000;
        const within = await send(
          clocked.url,
          alibabaRequest(clocked.url, { credentials: PERMANENT, nonce, dateMs: now }),
        );
        expect(errorCode(within)).toBe('SignatureNonceUsed');
        now = NOW_MS + FIFTEEN_MINUTES + 1000;
        expect(
          (await send(clocked.url, alibabaRequest(clocked.url, { credentials: PERMANENT, nonce, dateMs: now }))).status,
        ).toBe(200);
      } finally {
        await clocked.close();
      }
    });

    it('400 IncompleteSignature without a nonce', async () => {
      const request = signed({ nonce: '' });
      expect(errorCode(await call(request))).toBe('IncompleteSignature');
    });

    it('400 InvalidSecurityToken.Malformed when STS credentials come without their token', async () => {
      const response = await call(alibabaRequest(emulator.url, { credentials: STS }));
      expect([response.status, errorCode(response)]).toEqual([400, 'InvalidSecurityToken.Malformed']);
    });

    it('400 InvalidSecurityToken.MismatchWithAccessKey for a wrong token', async () => {
      const response = await call(alibabaRequest(emulator.url, { credentials: STS, securityToken: 'sts-token-2' }));
      expect([response.status, errorCode(response)]).toEqual([400, 'InvalidSecurityToken.MismatchWithAccessKey']);
    });

    it('400 InvalidSecurityToken.MismatchWithAccessKey for a token sent with a permanent key', async () => {
      const response = await call(signed({ securityToken: STS.securityToken }));
      expect(errorCode(response)).toBe('InvalidSecurityToken.MismatchWithAccessKey');
    });
  });

  describe('request errors', () => {
    it('404 InvalidApi.NotFound for another action', async () => {
      const response = await call(signed({ action: 'GetAIWorkflow' }));
      expect([response.status, errorCode(response)]).toEqual([404, 'InvalidApi.NotFound']);
    });

    it('400 InvalidVersion for another version', async () => {
      const response = await call(signed({ version: '2017-09-06' }));
      expect([response.status, errorCode(response)]).toEqual([400, 'InvalidVersion']);
    });

    it('400 UnsupportedHTTPMethod for PUT', async () => {
      const response = await call(signed({ method: 'PUT' }));
      expect([response.status, errorCode(response)]).toEqual([400, 'UnsupportedHTTPMethod']);
    });

    it('400 MissingParameter without TaskId', async () => {
      const response = await call(signed({ taskId: null }));
      expect([response.status, errorCode(response)]).toEqual([400, 'MissingParameter']);
    });

    it('400 InvalidParameter for an empty TaskId', async () => {
      const response = await call(signed({ taskId: '' }));
      expect([response.status, errorCode(response)]).toEqual([400, 'InvalidParameter']);
    });

    it('404 TaskNotExist for an unknown task, in the documented error shape', async () => {
      const response = await call(signed({ taskId: '00000000-0000-4000-8000-000000000000' }));
      expect(response.status).toBe(404);
      const body = json(response);
      expect(body).toEqual({
        RequestId: expect.stringMatching(/^[0-9A-F-]{36}$/),
        HostId: new URL(emulator.url).host,
        Code: 'TaskNotExist',
        Message: expect.stringContaining('00000000-0000-4000-8000-000000000000'),
        Recommend: expect.stringContaining('q=TaskNotExist'),
      });
      expect(body['Code']).toMatch(/NotFound|NotExist/);
    });
  });
});
