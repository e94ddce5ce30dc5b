import { createHash } from 'node:crypto';
import {
  EMPTY_BODY_SHA256,
  acs3Date,
  canonicalQueryString,
  parseAcs3Authorization,
  rfc3986Encode,
  signAcs3,
} from '../../src/providers/alibaba/signer.js';
import { buildGetAIWorkflowTaskRequest } from '../../src/providers/alibaba/client.js';
import {
  ACS3_ECS,
  ACS3_ICE,
  ACS3_ICE_A_AUTHORIZATION,
  ACS3_ICE_A_CANONICAL_REQUEST,
  ACS3_ICE_A_STRING_TO_SIGN,
  ACS3_ICE_E_AUTHORIZATION,
  ACS3_ICE_SDK_VECTORS,
  ACS3_ICE_VECTORS,
  EMPTY_SHA256,
} from '../fixtures/signing-vectors.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

function iceHeaders(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    host: ACS3_ICE.host,
    'x-acs-action': ACS3_ICE.action,
    'x-acs-version': ACS3_ICE.version,
    'x-acs-date': ACS3_ICE.date,
    'x-acs-signature-nonce': ACS3_ICE.nonce,
    'x-acs-content-sha256': EMPTY_SHA256,
    ...extra,
  };
}

const iceCredentials = { accessKeyId: ACS3_ICE.accessKeyId, accessKeySecret: ACS3_ICE.accessKeySecret };

describe('ACS3 signer', () => {
  it('knows the SHA-256 of the empty body', () => {
    expect(EMPTY_BODY_SHA256).toBe(EMPTY_SHA256);
  });

  describe('official ECS RunInstances vector (§3.1)', () => {
    const signed = signAcs3(
      { accessKeyId: ACS3_ECS.accessKeyId, accessKeySecret: ACS3_ECS.accessKeySecret },
      { method: ACS3_ECS.method, query: ACS3_ECS.query, headers: ACS3_ECS.headers, payload: '' },
    );

    it('builds the published canonical query and canonical request', () => {
      expect(signed.canonicalQuery).toBe(ACS3_ECS.canonicalQuery);
      expect(signed.canonicalRequest).toBe(ACS3_ECS.canonicalRequest);
      expect(sha256(signed.canonicalRequest)).toBe(ACS3_ECS.hashedCanonicalRequest);
    });

    it('produces the published string to sign, signature and Authorization', () => {
      expect(signed.stringToSign).toBe(ACS3_ECS.stringToSign);
      expect(signed.signature).toBe(ACS3_ECS.signature);
      expect(signed.authorization).toBe(ACS3_ECS.authorization);
    });

    it('puts the signed query on the request line', () => {
      expect(`${ACS3_ECS.method} /?${signed.canonicalQuery} HTTP/1.1`).toBe(ACS3_ECS.requestLine);
    });
  });

  describe('GetAIWorkflowTask vectors (§3.2)', () => {
    it.each(ACS3_ICE_VECTORS.map((vector) => [vector.name, vector] as const))('vector %s', (_name, vector) => {
      const signed = signAcs3(iceCredentials, {
        method: vector.method,
        query: { TaskId: vector.taskId },
        headers: iceHeaders(vector.sts ? { 'x-acs-security-token': ACS3_ICE.securityToken } : {}),
        payload: '',
      });
      expect(signed.canonicalQuery).toBe(vector.canonicalQuery);
      expect(signed.signedHeaders).toBe(vector.sts ? ACS3_ICE.stsSignedHeaders : ACS3_ICE.standardSignedHeaders);
      // B, C, D and E differ from A's published canonical request only where the table says.
      const lines = ACS3_ICE_A_CANONICAL_REQUEST.split('\n');
      lines[0] = vector.method;
      lines[2] = vector.canonicalQuery;
      if (vector.sts) {
        lines.splice(7, 0, `x-acs-security-token:${ACS3_ICE.securityToken}`);
        lines[lines.length - 2] = ACS3_ICE.stsSignedHeaders;
      }
      expect(signed.canonicalRequest).toBe(lines.join('\n'));
      expect(sha256(signed.canonicalRequest)).toBe(vector.hashedCanonicalRequest);
      expect(signed.stringToSign).toBe(`ACS3-HMAC-SHA256\n${vector.hashedCanonicalRequest}`);
      expect(signed.signature).toBe(vector.signature);
      expect(signed.authorization).toBe(
        `ACS3-HMAC-SHA256 Credential=LTAIEXAMPLE,SignedHeaders=${signed.signedHeaders},Signature=${vector.signature}`,
      );
      expect(`${vector.method} /?${signed.canonicalQuery} HTTP/1.1`).toBe(vector.requestLine);
    });

    it('vector A matches the published canonical request, string to sign and Authorization verbatim', () => {
      const signed = signAcs3(iceCredentials, {
        method: 'POST',
        query: { TaskId: 'abc-123' },
        headers: iceHeaders(),
        payload: '',
      });
      expect(signed.canonicalRequest).toBe(ACS3_ICE_A_CANONICAL_REQUEST);
      expect(signed.stringToSign).toBe(ACS3_ICE_A_STRING_TO_SIGN);
      expect(signed.authorization).toBe(ACS3_ICE_A_AUTHORIZATION);
    });

    it('vector E matches the published Authorization verbatim', () => {
      const signed = signAcs3(iceCredentials, {
        method: 'POST',
        query: { TaskId: 'abc-123' },
        headers: iceHeaders({ 'x-acs-security-token': ACS3_ICE.securityToken }),
        payload: '',
      });
      expect(signed.authorization).toBe(ACS3_ICE_E_AUTHORIZATION);
    });
  });

  describe("official SDK's extra headers (§3.3)", () => {
    it.each(ACS3_ICE_SDK_VECTORS.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
      const signed = signAcs3(iceCredentials, {
        method: 'POST',
        query: { TaskId: vector.taskId },
        headers: iceHeaders(vector.extraHeaders),
        payload: '',
      });
      expect(signed.signedHeaders).toBe(vector.signedHeaders);
      expect(sha256(signed.canonicalRequest)).toBe(vector.hashedCanonicalRequest);
      expect(signed.stringToSign).toBe(`ACS3-HMAC-SHA256\n${vector.hashedCanonicalRequest}`);
      expect(signed.signature).toBe(vector.signature);
    });
  });

  describe('the ICE client request', () => {
    const config = {
      credentials: iceCredentials,
      endpoint: 'https://ice.cn-shanghai.aliyuncs.com',
      region: 'cn-shanghai',
    };
    const nowMs = Date.parse(ACS3_ICE.date);

    it.each([
      ['A', 'abc-123', false],
      ['B', 'a b*c~/', false],
      ['E', 'abc-123', true],
    ] as const)('is vector %s on the wire', (name, taskId, sts) => {
      const vector = ACS3_ICE_VECTORS.find((candidate) => candidate.name === name)!;
      const credentials = sts ? { ...iceCredentials, securityToken: ACS3_ICE.securityToken } : iceCredentials;
      const request = buildGetAIWorkflowTaskRequest({ ...config, credentials }, taskId, nowMs, ACS3_ICE.nonce);
      expect(request.url).toBe(`https://ice.cn-shanghai.aliyuncs.com/?${vector.canonicalQuery}`);
      expect(request.method).toBe('POST');
      expect(request.body).toBeUndefined();
      expect(request.headers).toEqual({
        ...iceHeaders(sts ? { 'x-acs-security-token': ACS3_ICE.securityToken } : {}),
        accept: 'application/json',
        authorization: `ACS3-HMAC-SHA256 Credential=LTAIEXAMPLE,SignedHeaders=${
          sts ? ACS3_ICE.stsSignedHeaders : ACS3_ICE.standardSignedHeaders
        },Signature=${vector.signature}`,
      });
    });
  });

  describe('RFC 3986 encoding', () => {
    it.each([
      ['abc-123', 'abc-123'],
      ['a b', 'a%20b'],
      ['*', '%2A'],
      ['~', '~'],
      ['/', '%2F'],
      ["!'()", '%21%27%28%29'],
      ['A-Z_a.z~0', 'A-Z_a.z~0'],
      ['+', '%2B'],
      ['=&', '%3D%26'],
      ['%', '%25'],
      ['é', '%C3%A9'],
      ['未命名', '%E6%9C%AA%E5%91%BD%E5%90%8D'],
      ['a b*c~/', 'a%20b%2Ac~%2F'],
    ])('encodes %j as %s', (input, expected) => {
      expect(rfc3986Encode(input)).toBe(expected);
    });

    it('sorts by encoded name and keeps the = of empty values', () => {
      expect(canonicalQueryString({ b: '', a: 'x y', 'A*': '1' })).toBe('A%2A=1&a=x%20y&b=');
    });

    it('is empty without parameters', () => {
      expect(canonicalQueryString({})).toBe('');
    });
  });

  describe('x-acs-date', () => {
    it('is UTC without milliseconds', () => {
      expect(acs3Date(Date.parse('2026-01-01T00:00:00.999Z'))).toBe('2026-01-01T00:00:00Z');
      expect(acs3Date(1551113065000)).toBe('2019-02-25T16:44:25Z');
    });
  });

  describe('Authorization parsing', () => {
    it('reads back the published header', () => {
      expect(parseAcs3Authorization(ACS3_ECS.authorization)).toEqual({
        accessKeyId: 'YourAccessKeyId',
        signedHeaders: [
          'host',
          'x-acs-action',
          'x-acs-content-sha256',
          'x-acs-date',
          'x-acs-signature-nonce',
          'x-acs-version',
        ],
        signature: ACS3_ECS.signature,
      });
    });

    it('rejects spaces after the commas', () => {
      expect(parseAcs3Authorization(ACS3_ECS.authorization.replace(/,/g, ', '))).toBeNull();
    });
  });
});
