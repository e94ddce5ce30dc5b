/**
 * Server-side ACS3-HMAC-SHA256 verification: recompute the signature from what arrived
 * (the headers named in SignedHeaders, the raw query decoded then re-canonicalised, the
 * body bytes) with the client's own pure signer, and compare.
 * https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature
 */
import { sha256Hex } from '../providers/crypto.js';
import { acs3Date, parseAcs3Authorization, signAcs3 } from '../providers/alibaba/signer.js';
import { constantTimeEqual } from './constant-time.js';
import { NONCE_WINDOW_MS, NonceLedger } from './nonce-ledger.js';
import type { AlibabaCredential } from './types.js';
import { decodeQuery, type ReceivedRequest } from './wire.js';

/** x-acs-date may be at most 15 minutes from server time, either way. */
export const ACS3_MAX_SKEW_MS = NONCE_WINDOW_MS;

export interface Acs3Rejection {
  readonly ok: false;
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export type Acs3Verdict = { readonly ok: true; readonly credential: AlibabaCredential } | Acs3Rejection;

const reject = (status: number, code: string, message: string): Acs3Rejection => ({ ok: false, status, code, message });

export function verifyAcs3Request(
  request: ReceivedRequest,
  findCredential: (accessKeyId: string) => AlibabaCredential | undefined,
  nonces: NonceLedger,
  nowMs: number,
): Acs3Verdict {
  const authorization = parseAcs3Authorization(request.headers['authorization'] ?? '');
  if (!authorization) {
    return reject(
      400,
      'IncompleteSignature',
      'The request signature does not conform to Aliyun standards (ACS3-HMAC-SHA256 Authorization expected).',
    );
  }
  const credential = findCredential(authorization.accessKeyId);
  if (!credential) return reject(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');

  // Every x-acs-* header sent must be signed, or a proxy could add one unnoticed.
  const required = ['host', ...Object.keys(request.headers).filter((name) => name.startsWith('x-acs-'))];
  const unsigned = required.filter((name) => !authorization.signedHeaders.includes(name));
  if (unsigned.length > 0) {
    return reject(
      400,
      'IncompleteSignature',
      `The request signature does not conform to Aliyun standards: unsigned header(s) ${unsigned.join(', ')}.`,
    );
  }

  const contentSha256 = request.headers['x-acs-content-sha256'];
  if (contentSha256 === undefined)
    return reject(400, 'IncompleteSignature', 'The x-acs-content-sha256 header is required.');
  if (contentSha256 !== sha256Hex(request.body)) {
    return reject(
      400,
      'SignatureDoesNotMatch',
      'The x-acs-content-sha256 header does not match the SHA-256 of the request body.',
    );
  }

  const date = request.headers['x-acs-date'] ?? '';
  const dateMs = parseAcsDate(date);
  if (dateMs === null) {
    return reject(
      400,
      'InvalidTimeStamp.Format',
      'Specified time stamp or date value is not well formatted (yyyy-MM-ddTHH:mm:ssZ, UTC).',
    );
  }
  if (Math.abs(dateMs - nowMs) > ACS3_MAX_SKEW_MS) {
    return reject(
      400,
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired: ${date} is more than 15 minutes from server time ${acs3Date(nowMs)}.`,
    );
  }

  const nonce = request.headers['x-acs-signature-nonce'] ?? '';
  if (nonce === '') return reject(400, 'IncompleteSignature', 'The x-acs-signature-nonce header is required.');
  if (nonces.has(credential.accessKeyId, nonce, nowMs)) {
    return reject(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }

  const signed: Record<string, string> = {};
  for (const name of authorization.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) {
      return reject(400, 'SignatureDoesNotMatch', `Header ${name} is listed in SignedHeaders but was not sent.`);
    }
    signed[name] = value;
  }
  const expected = signAcs3(credential, {
    method: request.method,
    canonicalUri: request.path,
    query: decodeQuery(request.rawQuery),
    headers: signed,
    payload: request.body,
  });
  if (!constantTimeEqual(authorization.signature, expected.signature)) {
    return reject(400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.');
  }
  // Only an authentic request burns its nonce; a forged one must not lock the real caller out.
  nonces.remember(credential.accessKeyId, nonce, dateMs);

  const token = request.headers['x-acs-security-token'] ?? '';
  if (credential.securityToken !== undefined && token === '') {
    return reject(400, 'InvalidSecurityToken.Malformed', 'The STS AccessKeyId requires x-acs-security-token.');
  }
  const tokenOk =
    credential.securityToken === undefined ? token === '' : constantTimeEqual(token, credential.securityToken);
  if (!tokenOk)
    return reject(
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
      'The security token does not match the AccessKeyId.',
    );
  if (credential.revoked === true)
    return reject(400, 'InvalidSecurityToken.Expired', 'The security token you provided has been revoked.');
  if (credential.expiresAtMs !== undefined && nowMs >= credential.expiresAtMs) {
    return reject(400, 'InvalidSecurityToken.Expired', 'The security token you provided has expired.');
  }

  return { ok: true, credential };
}

/** Strict `yyyy-MM-ddTHH:mm:ssZ`; a calendar-impossible date (02-30) is a format error too. */
function parseAcsDate(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) || acs3Date(ms) !== value ? null : ms;
}
