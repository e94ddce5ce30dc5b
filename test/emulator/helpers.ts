/**
 * Test-side clients for the emulator: build requests with the project's own signers,
 * let a test tamper with them, and send them with node:http so every header and body
 * byte on the wire is exactly the one the test chose.
 */
import { request as httpRequest } from 'node:http';
import { sha256Hex } from '../../src/providers/crypto.js';
import { acs3Date, canonicalQueryString, signAcs3 } from '../../src/providers/alibaba/signer.js';
import { signTc3 } from '../../src/providers/tencent/signer.js';
import { EMULATOR_CREDENTIALS } from '../../src/emulator/index.js';

/** The emulator's clock in tests: fixed, so signature windows are asserted exactly. */
export const NOW_MS = Date.parse('2026-05-04T08:00:00Z');
export const fixedClock = (): number => NOW_MS;

export interface WireRequest {
  method: string;
  /** Path and query as on the request line. */
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

export function hostOf(baseUrl: string): string {
  return new URL(baseUrl).host;
}

export interface TencentRequestOptions {
  taskId?: string;
  /** Overrides the JSON body built from taskId. */
  body?: string;
  credentials?: { secretId: string; secretKey: string };
  timestamp?: number;
  contentType?: string;
  token?: string;
  action?: string;
  version?: string;
  host?: string;
  /** Also sign x-tc-action (with the lowercased value, as the doc's newer samples do). */
  signAction?: boolean;
}

export function tencentRequest(baseUrl: string, options: TencentRequestOptions = {}): WireRequest {
  const host = options.host ?? hostOf(baseUrl);
  const contentType = options.contentType ?? 'application/json; charset=utf-8';
  const action = options.action ?? 'DescribeImageTaskDetail';
  const timestamp = options.timestamp ?? Math.floor(NOW_MS / 1000);
  const body =
    options.body ??
    JSON.stringify({ TaskId: options.taskId ?? '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4' });
  const signedHeaders: Record<string, string> = { 'content-type': contentType, host };
  if (options.signAction) signedHeaders['x-tc-action'] = action.toLowerCase();
  const { authorization } = signTc3(options.credentials ?? EMULATOR_CREDENTIALS.tencent, {
    method: 'POST',
    headers: signedHeaders,
    payload: body,
    service: 'mps',
    timestamp,
  });
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    Host: host,
    'X-TC-Action': action,
    'X-TC-Version': options.version ?? '2019-06-12',
    'X-TC-Timestamp': String(timestamp),
    Authorization: authorization,
  };
  if (options.token !== undefined) headers['X-TC-Token'] = options.token;
  return { method: 'POST', path: '/', headers, body };
}

export interface AlibabaRequestOptions {
  /** null: send no TaskId parameter at all. */
  taskId?: string | null;
  method?: string;
  credentials?: { accessKeyId: string; accessKeySecret: string };
  dateMs?: number;
  /** x-acs-date verbatim, overriding dateMs (for format errors). */
  date?: string;
  nonce?: string;
  securityToken?: string;
  action?: string;
  version?: string;
  host?: string;
  body?: string;
  /** More headers to send and sign (e.g. the SDK's x-acs-credentials-provider). */
  extraSignedHeaders?: Record<string, string>;
}

let nonceCounter = 0;
/** Deterministic, unique per process: 32 hex chars like the SDK's nonces. */
export function nextNonce(): string {
  nonceCounter += 1;
  return nonceCounter.toString(16).padStart(32, '0');
}

export function alibabaRequest(baseUrl: string, options: AlibabaRequestOptions = {}): WireRequest {
  const host = options.host ?? hostOf(baseUrl);
  const method = options.method ?? 'POST';
  const body = options.body ?? '';
  const taskId = options.taskId === undefined ? '1a07a295-92a5-44ec-8371-9783f86a8a6b' : options.taskId;
  const query: Record<string, string> = taskId === null ? {} : { TaskId: taskId };
  const headers: Record<string, string> = {
    host,
    'x-acs-action': options.action ?? 'GetAIWorkflowTask',
    'x-acs-version': options.version ?? '2020-11-09',
    'x-acs-date': options.date ?? acs3Date(options.dateMs ?? NOW_MS),
    'x-acs-signature-nonce': options.nonce ?? nextNonce(),
    'x-acs-content-sha256': sha256Hex(body),
    ...options.extraSignedHeaders,
  };
  if (options.securityToken !== undefined) headers['x-acs-security-token'] = options.securityToken;
  const { authorization } = signAcs3(options.credentials ?? EMULATOR_CREDENTIALS.alibaba, {
    method,
    query,
    headers,
    payload: body,
  });
  const canonicalQuery = canonicalQueryString(query);
  return {
    method,
    path: canonicalQuery === '' ? '/' : `/?${canonicalQuery}`,
    headers: { ...headers, Authorization: authorization, accept: 'application/json' },
    body,
  };
}

/** One HTTP exchange; rejects on a dropped connection or an abort, like any client would. */
export function send(
  baseUrl: string,
  request: WireRequest,
  options: { signal?: AbortSignal } = {},
): Promise<WireResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) },
        signal: options.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

export function json(response: WireResponse): Record<string, unknown> {
  return JSON.parse(response.text) as Record<string, unknown>;
}

/** The Tencent envelope's inner object. */
export function tencentResponse(response: WireResponse): Record<string, unknown> {
  return json(response)['Response'] as Record<string, unknown>;
}

/** Error code from either provider's error shape, or undefined on success. */
export function errorCode(response: WireResponse): string | undefined {
  const body = json(response);
  const tencentError = (body['Response'] as { Error?: { Code?: string } } | undefined)?.Error;
  if (tencentError) return tencentError.Code;
  return typeof body['Code'] === 'string' ? body['Code'] : undefined;
}

/** Flips one hex character of the Authorization signature: the smallest possible forgery. */
export function flipLastSignatureChar(authorization: string): string {
  const last = authorization.slice(-1);
  return authorization.slice(0, -1) + (last === '0' ? '1' : '0');
}

/** Polls until the emulator has seen `count` calls; the server logs a call before deciding its fate. */
export async function waitForCalls(count: () => number, expected: number): Promise<void> {
  for (let attempt = 0; attempt < 500 && count() < expected; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (count() < expected) throw new Error(`emulator saw ${count()} calls, expected ${expected}`);
}
