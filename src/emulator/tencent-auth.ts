/**
 * Server-side TC3-HMAC-SHA256 verification: recompute the signature from what arrived
 * on the wire (headers named in SignedHeaders, raw body bytes, X-TC-Timestamp) with the
 * same pure signer the client uses, and compare.
 * https://www.tencentcloud.com/document/product/267/37447
 */
import { parseTc3Authorization, signTc3, tc3Date } from '../providers/tencent/signer.js';
import { constantTimeEqual } from './constant-time.js';
import type { TencentCredential } from './types.js';
import type { ReceivedRequest } from './wire.js';

/** ±5 minutes between X-TC-Timestamp and server time. */
export const TC3_MAX_SKEW_SECONDS = 5 * 60;
export const TC3_SERVICE = 'mps';
const REQUIRED_SIGNED_HEADERS = ['content-type', 'host'] as const;

export type Tc3Verdict =
  | { readonly ok: true; readonly credential: TencentCredential }
  | { readonly ok: false; readonly code: string; readonly message: string };

const reject = (code: string, message: string): Tc3Verdict => ({ ok: false, code, message });

export function verifyTc3Request(
  request: ReceivedRequest,
  findCredential: (secretId: string) => TencentCredential | undefined,
  nowMs: number,
): Tc3Verdict {
  const authorization = parseTc3Authorization(request.headers['authorization'] ?? '');
  if (!authorization) {
    return reject(
      'AuthFailure.InvalidAuthorization',
      'Authorization header is missing or does not follow the TC3-HMAC-SHA256 format.',
    );
  }
  const credential = findCredential(authorization.secretId);
  if (!credential) {
    return reject(
      'AuthFailure.SecretIdNotFound',
      'The SecretId is not found, please ensure that your SecretId is correct.',
    );
  }

  const rawTimestamp = request.headers['x-tc-timestamp'];
  if (rawTimestamp === undefined || rawTimestamp === '') {
    return reject('MissingParameter', 'The request is missing a required parameter `X-TC-Timestamp`.');
  }
  if (!/^\d{1,12}$/.test(rawTimestamp)) {
    return reject('InvalidParameterValue', 'The parameter `X-TC-Timestamp` must be an integer number of seconds.');
  }
  const timestamp = Number(rawTimestamp);
  const serverSeconds = Math.floor(nowMs / 1000);
  if (Math.abs(timestamp - serverSeconds) > TC3_MAX_SKEW_SECONDS) {
    return reject(
      'AuthFailure.SignatureExpire',
      `Signature expired. Timestamp ${timestamp} is more than 5 minutes from server time ${serverSeconds}.`,
    );
  }
  // The scope date must be the UTC date of the timestamp; a local-time date is the classic bug.
  if (authorization.date !== tc3Date(timestamp)) {
    return reject(
      'AuthFailure.SignatureFailure',
      `The credential scope date ${authorization.date} is not the UTC date of X-TC-Timestamp (${tc3Date(timestamp)}).`,
    );
  }
  if (authorization.service !== TC3_SERVICE) {
    return reject(
      'AuthFailure.SignatureFailure',
      `The credential scope service must be \`${TC3_SERVICE}\`, got \`${authorization.service}\`.`,
    );
  }
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (!authorization.signedHeaders.includes(name)) {
      return reject('AuthFailure.InvalidAuthorization', `SignedHeaders must include \`${name}\`.`);
    }
  }

  // Tencent lowercases signed header values (hence `x-tc-action:describeimagetaskdetail`),
  // so a client that signs a value in another case than lowercase fails here, as it would upstream.
  const signed: Record<string, string> = {};
  for (const name of authorization.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) {
      return reject('AuthFailure.SignatureFailure', `Header \`${name}\` is listed in SignedHeaders but was not sent.`);
    }
    signed[name] = value.toLowerCase();
  }
  const expected = signTc3(credential, {
    method: request.method,
    canonicalUri: request.path,
    canonicalQuery: request.rawQuery,
    headers: signed,
    payload: request.body,
    service: authorization.service,
    timestamp,
  });
  if (!constantTimeEqual(authorization.signature, expected.signature)) {
    return reject(
      'AuthFailure.SignatureFailure',
      'The provided credentials could not be validated. Please check your signature is correct.',
    );
  }

  // A temporary SecretId is useless without its token, and a permanent one must not carry one.
  const token = request.headers['x-tc-token'] ?? '';
  const tokenOk = credential.token === undefined ? token === '' : constantTimeEqual(token, credential.token);
  if (!tokenOk)
    return reject('AuthFailure.TokenFailure', 'The token is invalid, expired, or does not belong to this SecretId.');
  if (credential.revoked === true) return reject('AuthFailure.TokenFailure', 'The token has been revoked.');
  if (credential.expiresAtMs !== undefined && nowMs >= credential.expiresAtMs) {
    return reject('AuthFailure.TokenFailure', 'The token has expired.');
  }

  return { ok: true, credential };
}
