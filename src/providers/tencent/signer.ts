/**
 * TC3-HMAC-SHA256, the Tencent Cloud API 3.0 signature.
 * https://www.tencentcloud.com/document/product/267/37447
 *
 * Pure: the caller supplies the timestamp and the exact body bytes, so the same
 * function signs outgoing requests and (in the emulator) verifies incoming ones.
 */
import { canonicalHeaders, hmacSha256, hmacSha256Hex, lowercaseHeaderMap, sha256Hex } from '../crypto.js';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

export interface Tc3Credentials {
  readonly secretId: string;
  readonly secretKey: string;
}

export interface Tc3SigningInput {
  readonly method: string;
  /** Always "/" for API 3.0, kept explicit so the verifier signs what it received. */
  readonly canonicalUri?: string;
  readonly canonicalQuery?: string;
  /** The headers to sign, as sent (names in any case). The SDKs sign `content-type` and `host`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes sent as the body. */
  readonly payload: string | Uint8Array;
  /** Credential-scope service; always `mps` for MPS, whatever host is called. */
  readonly service: string;
  /** Unix seconds, the value sent as X-TC-Timestamp. */
  readonly timestamp: number;
}

export interface Tc3Signature {
  readonly authorization: string;
  readonly signature: string;
  readonly signedHeaders: string;
  readonly credentialScope: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

/** The scope date is the UTC calendar date of the timestamp, never local time. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function signTc3(credentials: Tc3Credentials, input: Tc3SigningInput): Tc3Signature {
  const { canonical, signedHeaders } = canonicalHeaders(lowercaseHeaderMap(input.headers));
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.canonicalUri ?? '/',
    input.canonicalQuery ?? '',
    canonical,
    signedHeaders,
    sha256Hex(input.payload),
  ].join('\n');
  const date = tc3Date(input.timestamp);
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(input.timestamp), credentialScope, sha256Hex(canonicalRequest)].join(
    '\n',
  );
  const kDate = hmacSha256(`TC3${credentials.secretKey}`, date);
  const kService = hmacSha256(kDate, input.service);
  const kSigning = hmacSha256(kService, 'tc3_request');
  const signature = hmacSha256Hex(kSigning, stringToSign);
  const authorization =
    `${TC3_ALGORITHM} Credential=${credentials.secretId}/${credentialScope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { authorization, signature, signedHeaders, credentialScope, canonicalRequest, stringToSign };
}

export interface ParsedTc3Authorization {
  readonly secretId: string;
  readonly date: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses an Authorization header as the server reads it; null when malformed. */
export function parseTc3Authorization(header: string): ParsedTc3Authorization | null {
  const match =
    /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/,\s]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  if (!match) return null;
  const [, secretId, date, service, signedHeaders, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { secretId, date, service, signedHeaders: signedHeaders.split(';'), signature };
}
