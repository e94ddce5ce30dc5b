/**
 * ACS3-HMAC-SHA256, the Alibaba Cloud V3 request signature.
 * https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature
 *
 * Pure: date, nonce and body are inputs, so the emulator verifies with the same code
 * that the client signs with, and tests pin it to the published vectors.
 */
import { canonicalHeaders, hmacSha256Hex, lowercaseHeaderMap, sha256Hex } from '../crypto.js';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = sha256Hex('');

export interface Acs3Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export interface Acs3SigningInput {
  readonly method: string;
  readonly canonicalUri?: string;
  /** Query parameters; encoded and sorted here, and the same string goes on the wire. */
  readonly query: Readonly<Record<string, string>>;
  /** Every header to sign: host, content-type when sent, and every x-acs-* header. */
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: string | Uint8Array;
}

export interface Acs3Signature {
  readonly authorization: string;
  readonly signature: string;
  readonly signedHeaders: string;
  readonly canonicalQuery: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

/**
 * RFC 3986 percent-encoding: only A-Z a-z 0-9 - _ . ~ stay, hex is uppercase.
 * encodeURIComponent leaves ! ' ( ) * unescaped, which Alibaba's canonical form does not.
 */
export function rfc3986Encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sorted by encoded name in byte order; empty values keep their `=`. */
export function canonicalQueryString(query: Readonly<Record<string, string>>): string {
  return Object.entries(query)
    .map(([name, value]) => [rfc3986Encode(name), rfc3986Encode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export function signAcs3(credentials: Acs3Credentials, input: Acs3SigningInput): Acs3Signature {
  const { canonical, signedHeaders } = canonicalHeaders(lowercaseHeaderMap(input.headers));
  const canonicalQuery = canonicalQueryString(input.query);
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.canonicalUri ?? '/',
    canonicalQuery,
    canonical,
    signedHeaders,
    sha256Hex(input.payload),
  ].join('\n');
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
  const signature = hmacSha256Hex(credentials.accessKeySecret, stringToSign);
  const authorization = `${ACS3_ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
  return { authorization, signature, signedHeaders, canonicalQuery, canonicalRequest, stringToSign };
}

export interface ParsedAcs3Authorization {
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export function parseAcs3Authorization(header: string): ParsedAcs3Authorization | null {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})$/.exec(
    header,
  );
  if (!match) return null;
  const [, accessKeyId, signedHeaders, signature] = match as unknown as [string, string, string, string];
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC, no milliseconds, as x-acs-date requires. */
export function acs3Date(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
