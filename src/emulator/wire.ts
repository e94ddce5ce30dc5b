/**
 * The request as the server saw it and the answer it will send: plain values, so
 * handlers and verifiers are testable without sockets.
 */
import type { IncomingMessage } from 'node:http';

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query exactly as on the request line. */
  readonly url: string;
  readonly path: string;
  /** The query string as received (still percent-encoded), without '?'. */
  readonly rawQuery: string;
  /** Lowercase names; repeated headers joined with ', ' as Node does. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes: signatures are over bytes, not over a re-serialisation. */
  readonly body: Buffer;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** What the call log records: 'ok', the provider error code, or the fault kind. */
  readonly outcome: string;
}

export function toReceivedRequest(req: IncomingMessage, body: Buffer): ReceivedRequest {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    url,
    path: queryAt === -1 ? url : url.slice(0, queryAt),
    rawQuery: queryAt === -1 ? '' : url.slice(queryAt + 1),
    headers,
    body,
  };
}

/**
 * Decodes a raw query the way the provider's gateway does ('+' and %20 are both a
 * space), so the verifier can re-canonicalise it instead of trusting the client's encoding.
 * A repeated name keeps its last value.
 */
export function decodeQuery(rawQuery: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) query[name] = value;
  return query;
}

export function jsonResponse(
  status: number,
  payload: unknown,
  outcome: string,
  headers: Readonly<Record<string, string>> = {},
): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(payload),
    outcome,
  };
}

export function textResponse(
  status: number,
  body: string,
  outcome: string,
  headers: Readonly<Record<string, string>> = {},
): EmulatorResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body, outcome };
}
