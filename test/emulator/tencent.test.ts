import { startEmulator, SEED, type RunningEmulator } from '../../src/emulator/index.js';
import { signTc3 } from '../../src/providers/tencent/signer.js';
import {
  NOW_MS,
  errorCode,
  fixedClock,
  flipLastSignatureChar,
  hostOf,
  send,
  tencentRequest,
  tencentResponse,
  type WireRequest,
} from './helpers.js';

const TEMP = {
  secretId: 'AKIDTEMPORARY0000000000000000000TEMP',
  secretKey: 'TemporarySecretKey00000000000000',
  token: 'session-token-1',
};
const PERMANENT = { secretId: 'AKIDPERMANENT0000000000000000000PERM', secretKey: 'PermanentSecretKey00000000000000' };
const NOW_S = Math.floor(NOW_MS / 1000);

describe('Tencent MPS emulator: DescribeImageTaskDetail', () => {
  let emulator: RunningEmulator;
  const call = (request: WireRequest) => send(emulator.url, request);

  beforeAll(async () => {
    emulator = await startEmulator({ now: fixedClock, tencentCredentials: [TEMP, PERMANENT] });
  });
  afterAll(() => emulator.close());

  describe('accepts a correctly signed request', () => {
    it('returns the EN doc example with a fresh RequestId', async () => {
      const response = await call(
        tencentRequest(emulator.url, { credentials: PERMANENT, taskId: SEED.image.docExampleFinished }),
      );
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      const body = tencentResponse(response);
      expect(body).toEqual({
        CreateTime: '2025-05-16T07:44:26Z',
        FinishTime: '2025-05-16T07:44:30Z',
        RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        Status: 'FINISH',
        TaskType: 'WorkflowTask',
      });
      expect(body['RequestId']).not.toBe('147e6b46-efeb-48cf-9186-b195b2bf4f9d');
    });

    it('returns the CN doc example (masked id, PROCESSING, null and empty input branches)', async () => {
      const response = await call(
        tencentRequest(emulator.url, { credentials: PERMANENT, taskId: '24******-WorkflowTask-***************tt6' }),
      );
      const body = tencentResponse(response);
      expect(body['Status']).toBe('PROCESSING');
      expect(body['InputInfo']).toEqual({
        CosInputInfo: { Bucket: '', Object: '', Region: '' },
        S3InputInfo: null,
        Type: 'URL',
        UrlInputInfo: { Url: 'http://***************.cos.ap-shanghai.tencentcos.cn/**********/01.jpeg' },
        VODInputInfo: null,
      });
      expect(body).not.toHaveProperty('ImageProcessTaskResultSet');
    });

    it('mints a different RequestId per answer', async () => {
      const first = tencentResponse(await call(tencentRequest(emulator.url, { credentials: PERMANENT })));
      const second = tencentResponse(await call(tencentRequest(emulator.url, { credentials: PERMANENT })));
      expect(first['RequestId']).not.toBe(second['RequestId']);
    });

    it('accepts the published DescribeImageTaskDetail vector (A) byte for byte', async () => {
      const vectorEmulator = await startEmulator({
        now: () => 1_700_000_000_000,
        tencentCredentials: [{ secretId: 'AKIDEXAMPLE', secretKey: 'SECRETEXAMPLE' }],
      });
      try {
        const response = await send(vectorEmulator.url, {
          method: 'POST',
          path: '/',
          headers: {
            Host: 'mps.tencentcloudapi.com',
            'Content-Type': 'application/json; charset=utf-8',
            'X-TC-Action': 'DescribeImageTaskDetail',
            'X-TC-Version': '2019-06-12',
            'X-TC-Timestamp': '1700000000',
            Authorization:
              'TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/mps/tc3_request, SignedHeaders=content-type;host, ' +
              'Signature=a1428468e5f22cff0c7048be00bd8e9bae4a5b664469a9299384c1657cbf71ac',
          },
          body: '{"TaskId":"24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4"}',
        });
        expect(errorCode(response)).toBeUndefined();
        expect(tencentResponse(response)['Status']).toBe('FINISH');
      } finally {
        await vectorEmulator.close();
      }
    });

    it('accepts x-tc-action signed with the lowercased value (vector C style)', async () => {
      const response = await call(tencentRequest(emulator.url, { credentials: PERMANENT, signAction: true }));
      expect(errorCode(response)).toBeUndefined();
    });

    it('accepts Content-Type application/json without charset when that is what was signed', async () => {
      const response = await call(
        tencentRequest(emulator.url, { credentials: PERMANENT, contentType: 'application/json' }),
      );
      expect(errorCode(response)).toBeUndefined();
    });

    it('ignores an unsigned X-TC-Region and echoes X-TC-TraceId', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT });
      request.headers['X-TC-Region'] = 'ap-guangzhou';
      request.headers['X-TC-TraceId'] = '6f1e2d3c-0000-4000-8000-000000000001';
      const response = await call(request);
      expect(errorCode(response)).toBeUndefined();
      expect(response.headers['x-tc-traceid']).toBe('6f1e2d3c-0000-4000-8000-000000000001');
    });

    it('accepts timestamps exactly 5 minutes either side of server time', async () => {
      for (const timestamp of [NOW_S - 300, NOW_S + 300]) {
        const response = await call(tencentRequest(emulator.url, { credentials: PERMANENT, timestamp }));
        expect(errorCode(response)).toBeUndefined();
      }
    });

    it('accepts temporary credentials with their token', async () => {
      const response = await call(tencentRequest(emulator.url, { credentials: TEMP, token: TEMP.token }));
      expect(errorCode(response)).toBeUndefined();
    });
  });

  describe('rejects a forged or altered request with AuthFailure.SignatureFailure', () => {
    it('when one hex character of the signature is flipped', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT });
      request.headers['Authorization'] = flipLastSignatureChar(request.headers['Authorization'] ?? '');
      expect(errorCode(await call(request))).toBe('AuthFailure.SignatureFailure');
    });

    it('when one body byte changes after signing', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT, taskId: SEED.image.waiting });
      request.body = String(request.body).replace('382a', '382b');
      expect(errorCode(await call(request))).toBe('AuthFailure.SignatureFailure');
    });

    it('when a signed header (Content-Type) differs from what was signed', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT, contentType: 'application/json' });
      request.headers['Content-Type'] = 'application/json; charset=utf-8';
      expect(errorCode(await call(request))).toBe('AuthFailure.SignatureFailure');
    });

    it('when the Host differs from the signed host', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT, host: 'mps.tencentcloudapi.com' });
      request.headers['Host'] = hostOf(emulator.url);
      expect(errorCode(await call(request))).toBe('AuthFailure.SignatureFailure');
    });

    it('when x-tc-action is signed in its original case (the server lowercases signed values)', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT });
      const { authorization } = signTc3(PERMANENT, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          host: hostOf(emulator.url),
          'x-tc-action': 'DescribeImageTaskDetail',
        },
        payload: request.body,
        service: 'mps',
        timestamp: NOW_S,
      });
      request.headers['Authorization'] = authorization;
      expect(errorCode(await call(request))).toBe('AuthFailure.SignatureFailure');
    });

    it('when signed with the wrong secret key', async () => {
      const request = tencentRequest(emulator.url, {
        credentials: { secretId: PERMANENT.secretId, secretKey: 'not-the-key' },
      });
      expect(errorCode(await call(request))).toBe('AuthFailure.SignatureFailure');
    });

    it('when the credential scope date is not the UTC date of the timestamp', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT });
      request.headers['Authorization'] = (request.headers['Authorization'] ?? '').replace(
        '/2026-05-04/',
        '/2026-05-05/',
      );
      expect(errorCode(await call(request))).toBe('AuthFailure.SignatureFailure');
    });

    it('when the credential scope service is not mps', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT });
      request.headers['Authorization'] = (request.headers['Authorization'] ?? '').replace('/mps/', '/cvm/');
      expect(errorCode(await call(request))).toBe('AuthFailure.SignatureFailure');
    });

    it('when a header listed in SignedHeaders was not sent', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT, signAction: true });
      request.headers['Authorization'] = (request.headers['Authorization'] ?? '').replace('x-tc-action', 'x-tc-region');
      expect(errorCode(await call(request))).toBe('AuthFailure.SignatureFailure');
    });
  });

  describe('authentication errors', () => {
    it.each([
      ['a missing Authorization header', undefined],
      ['a garbage Authorization header', 'Bearer abc'],
      [
        'a ", " separator without space',
        'TC3-HMAC-SHA256 Credential=X/2026-05-04/mps/tc3_request,SignedHeaders=content-type;host,Signature=' +
          'a'.repeat(64),
      ],
    ])('AuthFailure.InvalidAuthorization for %s', async (_case, authorization) => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT });
      if (authorization === undefined) delete request.headers['Authorization'];
      else request.headers['Authorization'] = authorization;
      expect(errorCode(await call(request))).toBe('AuthFailure.InvalidAuthorization');
    });

    it('AuthFailure.InvalidAuthorization when SignedHeaders omits host', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT });
      const { authorization } = signTc3(PERMANENT, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        payload: request.body,
        service: 'mps',
        timestamp: NOW_S,
      });
      request.headers['Authorization'] = authorization;
      expect(errorCode(await call(request))).toBe('AuthFailure.InvalidAuthorization');
    });

    it('AuthFailure.SecretIdNotFound for an unknown SecretId', async () => {
      const request = tencentRequest(emulator.url, {
        credentials: { secretId: 'AKIDUNKNOWN', secretKey: PERMANENT.secretKey },
      });
      expect(errorCode(await call(request))).toBe('AuthFailure.SecretIdNotFound');
    });

    it('accepts only the configured credentials: the default emulator key is refused here', async () => {
      expect(errorCode(await call(tencentRequest(emulator.url)))).toBe('AuthFailure.SecretIdNotFound');
    });

    it.each([
      ['301 s behind', NOW_S - 301],
      ['301 s ahead', NOW_S + 301],
      ['a day behind', NOW_S - 86_400],
    ])('AuthFailure.SignatureExpire when the timestamp is %s', async (_case, timestamp) => {
      expect(errorCode(await call(tencentRequest(emulator.url, { credentials: PERMANENT, timestamp })))).toBe(
        'AuthFailure.SignatureExpire',
      );
    });

    it('MissingParameter without X-TC-Timestamp, InvalidParameterValue for a non-integer one', async () => {
      const missing = tencentRequest(emulator.url, { credentials: PERMANENT });
      delete missing.headers['X-TC-Timestamp'];
      expect(errorCode(await call(missing))).toBe('MissingParameter');
      const fractional = tencentRequest(emulator.url, { credentials: PERMANENT });
      fractional.headers['X-TC-Timestamp'] = `${NOW_S}.5`;
      expect(errorCode(await call(fractional))).toBe('InvalidParameterValue');
    });

    it('AuthFailure.TokenFailure when temporary credentials come without their token', async () => {
      expect(errorCode(await call(tencentRequest(emulator.url, { credentials: TEMP })))).toBe(
        'AuthFailure.TokenFailure',
      );
    });

    it('AuthFailure.TokenFailure for a wrong token', async () => {
      expect(errorCode(await call(tencentRequest(emulator.url, { credentials: TEMP, token: 'session-token-2' })))).toBe(
        'AuthFailure.TokenFailure',
      );
    });

    it('AuthFailure.TokenFailure for a token sent with a permanent key', async () => {
      expect(errorCode(await call(tencentRequest(emulator.url, { credentials: PERMANENT, token: TEMP.token })))).toBe(
        'AuthFailure.TokenFailure',
      );
    });
  });

  describe('request errors', () => {
    it('InvalidAction for another action', async () => {
      expect(
        errorCode(await call(tencentRequest(emulator.url, { credentials: PERMANENT, action: 'DescribeTaskDetail' }))),
      ).toBe('InvalidAction');
    });

    it('NoSuchVersion for another version', async () => {
      expect(
        errorCode(await call(tencentRequest(emulator.url, { credentials: PERMANENT, version: '2017-03-12' }))),
      ).toBe('NoSuchVersion');
    });

    it('InvalidParameter without a JSON Content-Type', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT });
      delete request.headers['Content-Type'];
      expect(errorCode(await call(request))).toBe('InvalidParameter');
    });

    it('UnsupportedOperation for a GET', async () => {
      const request = tencentRequest(emulator.url, { credentials: PERMANENT });
      expect(errorCode(await call({ ...request, method: 'GET', body: '' }))).toBe('UnsupportedOperation');
    });

    it('MissingParameter without TaskId', async () => {
      expect(errorCode(await call(tencentRequest(emulator.url, { credentials: PERMANENT, body: '{}' })))).toBe(
        'MissingParameter',
      );
    });

    it.each([
      ['a number', '{"TaskId":42}'],
      ['an empty string', '{"TaskId":""}'],
      ['null', '{"TaskId":null}'],
    ])('InvalidParameterValue when TaskId is %s', async (_case, body) => {
      expect(errorCode(await call(tencentRequest(emulator.url, { credentials: PERMANENT, body })))).toBe(
        'InvalidParameterValue',
      );
    });

    it('InvalidParameter for a body that is not a JSON object', async () => {
      expect(errorCode(await call(tencentRequest(emulator.url, { credentials: PERMANENT, body: '["TaskId"]' })))).toBe(
        'InvalidParameter',
      );
      expect(errorCode(await call(tencentRequest(emulator.url, { credentials: PERMANENT, body: '{"TaskId":' })))).toBe(
        'InvalidParameter',
      );
    });

    it('ResourceNotFound for an unknown task, in the HTTP 200 error envelope', async () => {
      const response = await call(
        tencentRequest(emulator.url, {
          credentials: PERMANENT,
          taskId: '24000089-WorkflowTask-00000000000000000000000000000000',
        }),
      );
      expect(response.status).toBe(200);
      const body = tencentResponse(response);
      expect(body).toEqual({
        Error: { Code: 'ResourceNotFound', Message: expect.any(String) },
        RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    });

    it('ResourceNotFound, not a crash, for a TaskId named like an Object.prototype key', async () => {
      expect(errorCode(await call(tencentRequest(emulator.url, { credentials: PERMANENT, taskId: '__proto__' })))).toBe(
        'ResourceNotFound',
      );
    });
  });
});
