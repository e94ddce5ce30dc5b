import { createHash, createHmac } from 'node:crypto';
import { parseTc3Authorization, signTc3, tc3Date } from '../../src/providers/tencent/signer.js';
import { buildDescribeImageTaskDetailRequest } from '../../src/providers/tencent/client.js';
import { TC3_CVM, TC3_MPS } from '../fixtures/signing-vectors.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, message: string): Buffer =>
  createHmac('sha256', key).update(message, 'utf8').digest();

describe('TC3 signer', () => {
  describe('official CVM DescribeInstances vector (§3.1)', () => {
    const base = {
      method: 'POST',
      payload: TC3_CVM.body,
      service: TC3_CVM.service,
      timestamp: TC3_CVM.timestamp,
    } as const;
    const credentials = { secretId: TC3_CVM.secretId, secretKey: TC3_CVM.secretKey };

    it('hashes the exact body bytes, backslash-u escapes included', () => {
      expect(sha256(TC3_CVM.body)).toBe(TC3_CVM.hashedPayload);
    });

    it('(a) signs content-type;host exactly as the doc publishes', () => {
      const signed = signTc3(credentials, {
        ...base,
        headers: { 'Content-Type': TC3_CVM.contentType, Host: TC3_CVM.host },
      });
      expect(signed.canonicalRequest).toBe(TC3_CVM.a.canonicalRequest);
      expect(sha256(signed.canonicalRequest)).toBe(TC3_CVM.a.hashedCanonicalRequest);
      expect(signed.stringToSign).toBe(TC3_CVM.a.stringToSign);
      expect(signed.signature).toBe(TC3_CVM.a.signature);
      expect(signed.authorization).toBe(TC3_CVM.a.authorization);
    });

    it('(b) signs content-type;host;x-tc-action with the lowercased action', () => {
      const signed = signTc3(credentials, {
        ...base,
        headers: { 'Content-Type': TC3_CVM.contentType, Host: TC3_CVM.host, 'X-TC-Action': TC3_CVM.b.xTcAction },
      });
      expect(signed.signedHeaders).toBe(TC3_CVM.b.signedHeaders);
      expect(signed.canonicalRequest).toContain(`\nhost:${TC3_CVM.host}\nx-tc-action:describeinstances\n\n`);
      expect(sha256(signed.canonicalRequest)).toBe(TC3_CVM.b.hashedCanonicalRequest);
      expect(signed.signature).toBe(TC3_CVM.b.signature);
    });
  });

  describe('DescribeImageTaskDetail vectors (§3.2)', () => {
    const credentials = { secretId: TC3_MPS.secretId, secretKey: TC3_MPS.secretKey };
    const sign = (contentType: string, extra: Record<string, string> = {}) =>
      signTc3(credentials, {
        method: 'POST',
        headers: { 'content-type': contentType, host: TC3_MPS.host, ...extra },
        payload: TC3_MPS.body,
        service: TC3_MPS.service,
        timestamp: TC3_MPS.timestamp,
      });

    it('hashes the body and derives the published key chain', () => {
      expect(sha256(TC3_MPS.body)).toBe(TC3_MPS.hashedPayload);
      const kDate = hmac(`TC3${TC3_MPS.secretKey}`, TC3_MPS.date);
      const kService = hmac(kDate, 'mps');
      const kSigning = hmac(kService, 'tc3_request');
      expect(kDate.toString('hex')).toBe(TC3_MPS.keyChain.kDate);
      expect(kService.toString('hex')).toBe(TC3_MPS.keyChain.kService);
      expect(kSigning.toString('hex')).toBe(TC3_MPS.keyChain.kSigning);
    });

    it('(A) charset content type: canonical request, hash, string to sign, signature, Authorization', () => {
      const signed = sign(TC3_MPS.A.contentType);
      expect(signed.canonicalRequest).toBe(TC3_MPS.A.canonicalRequest);
      expect(sha256(signed.canonicalRequest)).toBe(TC3_MPS.A.hashedCanonicalRequest);
      expect(signed.stringToSign).toBe(TC3_MPS.A.stringToSign);
      expect(signed.credentialScope).toBe('2023-11-14/mps/tc3_request');
      // The signature is HMAC(kSigning, StringToSign) with the published kSigning.
      expect(
        createHmac('sha256', Buffer.from(TC3_MPS.keyChain.kSigning, 'hex')).update(signed.stringToSign).digest('hex'),
      ).toBe(TC3_MPS.A.signature);
      expect(signed.signature).toBe(TC3_MPS.A.signature);
      expect(signed.authorization).toBe(TC3_MPS.A.authorization);
    });

    it('(B) bare application/json signs differently, so the sent Content-Type must be the signed one', () => {
      const signed = sign(TC3_MPS.B.contentType);
      expect(signed.canonicalRequest).toBe(TC3_MPS.B.canonicalRequest);
      expect(sha256(signed.canonicalRequest)).toBe(TC3_MPS.B.hashedCanonicalRequest);
      expect(signed.stringToSign).toBe(
        `TC3-HMAC-SHA256\n1700000000\n2023-11-14/mps/tc3_request\n${TC3_MPS.B.hashedCanonicalRequest}`,
      );
      expect(signed.signature).toBe(TC3_MPS.B.signature);
      expect(signed.authorization).toBe(TC3_MPS.B.authorization);
    });

    it.each(TC3_MPS.C.map((vector) => [vector.contentType, vector] as const))(
      '(C) x-tc-action variant with %s',
      (_name, vector) => {
        const signed = sign(vector.contentType, { 'x-tc-action': TC3_MPS.xTcAction });
        expect(signed.signedHeaders).toBe('content-type;host;x-tc-action');
        expect(signed.canonicalRequest).toContain(`host:${TC3_MPS.host}\nx-tc-action:describeimagetaskdetail\n\n`);
        expect(sha256(signed.canonicalRequest)).toBe(vector.hashedCanonicalRequest);
        expect(signed.stringToSign).toBe(
          `TC3-HMAC-SHA256\n1700000000\n2023-11-14/mps/tc3_request\n${vector.hashedCanonicalRequest}`,
        );
        expect(signed.signature).toBe(vector.signature);
      },
    );

    it('the MPS client builds the published wire request for vector (A)', () => {
      const request = buildDescribeImageTaskDetailRequest(
        { credentials, endpoint: 'https://mps.tencentcloudapi.com' },
        TC3_MPS.taskId,
        TC3_MPS.timestamp * 1000 + 999,
      );
      expect(request.url).toBe('https://mps.tencentcloudapi.com/');
      expect(request.method).toBe('POST');
      expect(request.body?.toString('utf8')).toBe(TC3_MPS.body);
      expect(request.headers).toEqual({
        'Content-Type': 'application/json; charset=utf-8',
        Host: 'mps.tencentcloudapi.com',
        'X-TC-Action': 'DescribeImageTaskDetail',
        'X-TC-Version': '2019-06-12',
        'X-TC-Timestamp': '1700000000',
        Authorization: TC3_MPS.A.authorization,
      });
    });

    it('X-TC-Region and X-TC-Token are sent but not signed', () => {
      const request = buildDescribeImageTaskDetailRequest(
        {
          credentials: { ...credentials, sessionToken: 'TOKEN' },
          endpoint: 'https://mps.tencentcloudapi.com',
          region: 'ap-guangzhou',
        },
        TC3_MPS.taskId,
        TC3_MPS.timestamp * 1000,
      );
      expect(request.headers['X-TC-Region']).toBe('ap-guangzhou');
      expect(request.headers['X-TC-Token']).toBe('TOKEN');
      expect(request.headers['Authorization']).toBe(TC3_MPS.A.authorization);
    });
  });

  describe('UTC date rule', () => {
    it('dates ts 1551113065 (2019-02-26 00:44 in UTC+8) as 2019-02-25', () => {
      expect(tc3Date(1551113065)).toBe('2019-02-25');
    });

    it('puts the UTC date in the credential scope', () => {
      const signed = signTc3(
        { secretId: 'id', secretKey: 'key' },
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', host: 'h' },
          payload: '',
          service: 'mps',
          timestamp: 1551113065,
        },
      );
      expect(signed.credentialScope).toBe('2019-02-25/mps/tc3_request');
    });

    it('rolls over at midnight UTC', () => {
      expect(tc3Date(1700006399)).toBe('2023-11-14');
      expect(tc3Date(1700006400)).toBe('2023-11-15');
    });
  });

  describe('Authorization parsing', () => {
    it('reads back the published header', () => {
      expect(parseTc3Authorization(TC3_MPS.A.authorization)).toEqual({
        secretId: 'AKIDEXAMPLE',
        date: '2023-11-14',
        service: 'mps',
        signedHeaders: ['content-type', 'host'],
        signature: TC3_MPS.A.signature,
      });
    });

    it('rejects a header without the ", " separators', () => {
      expect(parseTc3Authorization(TC3_MPS.A.authorization.replace(/, /g, ','))).toBeNull();
    });
  });
});
