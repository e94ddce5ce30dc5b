/**
 * The shared transport of both provider clients: one HTTP attempt with a
 * deadline, turned into either a response (status + text body) or a
 * ProviderError. No retries here: the caller decides, and re-signs, per attempt.
 */
import http from 'node:http';
import https from 'node:https';
import { defaultOf } from '../config/index.js';
import { ProviderError, type ProviderName } from './errors.js';

/** The part of node-fetch's `fetch` the clients use; node-fetch's default export satisfies it. */
export interface FetchInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  /** Exact bytes, so what was signed is what is sent. */
  readonly body?: Buffer;
  readonly signal: AbortSignal;
  readonly agent?: (url: URL) => http.Agent;
  /** A signed API answering with a redirect is a misconfigured endpoint; following it would resend the signature elsewhere. */
  readonly redirect: 'manual';
  /** node-fetch: maximum body size in bytes (0 = unlimited). */
  readonly size?: number;
}

export interface FetchResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

export type AgentChooser = (url: URL) => http.Agent;

/**
 * Keep-alive agents, one per protocol: a TLS handshake per provider call would
 * dominate latency. Idle sockets are unref'd by Node, so they never keep the
 * process alive.
 */
export function createAgentChooser(options: { readonly maxSockets?: number } = {}): AgentChooser & { destroy(): void } {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? Infinity };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const choose = (url: URL): http.Agent => (url.protocol === 'https:' ? httpsAgent : httpAgent);
  return Object.assign(choose, {
    destroy(): void {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  });
}

/** Shared by every client that is not given its own chooser. */
export const defaultAgentChooser = createAgentChooser();

export const DEFAULT_TIMEOUT_MS = defaultOf('UPSTREAM_TIMEOUT_MS');
/** Provider replies are a few KB; a runaway body should not be buffered whole. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export interface HttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

export interface HttpResult {
  readonly status: number;
  readonly bodyText: string;
  /** From Retry-After, when the provider sent a usable one. */
  readonly retryAfterMs: number | undefined;
}

export interface SendOptions {
  readonly fetch: FetchLike;
  readonly provider: ProviderName;
  readonly timeoutMs?: number;
  /** The caller's cancellation (e.g. the GraphQL request went away). */
  readonly signal?: AbortSignal;
  readonly agent?: AgentChooser;
  /** Epoch ms, only to turn an HTTP-date Retry-After into a delay. */
  readonly now: () => number;
}

/**
 * Runs one attempt. The deadline covers connecting, waiting and reading the
 * body, which is read as text exactly once. Failures become ProviderErrors
 * whose messages carry only a timeout or an error code: never the URL,
 * headers or body, which may hold tokens or signatures.
 */
export async function sendWithTimeout(request: HttpRequest, options: SendOptions): Promise<HttpResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Not only a shortcut: node-fetch handed an already-aborted signal destroys the unread
  // Buffer body stream with an error nobody listens to, which crashes the process.
  if (options.signal?.aborted) throw callerAborted(options.provider);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  try {
    const response = await options.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined && { body: request.body }),
      signal: controller.signal,
      agent: options.agent ?? defaultAgentChooser,
      redirect: 'manual',
      size: MAX_RESPONSE_BYTES,
    });
    const bodyText = await response.text();
    return {
      status: response.status,
      bodyText,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), options.now()),
    };
  } catch (error) {
    throw transportError(options.provider, error, {
      timedOut,
      timeoutMs,
      callerAborted: options.signal?.aborted ?? false,
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function transportError(
  provider: ProviderName,
  error: unknown,
  state: { readonly timedOut: boolean; readonly timeoutMs: number; readonly callerAborted: boolean },
): ProviderError {
  if (state.timedOut) {
    return new ProviderError({
      provider,
      kind: 'UPSTREAM_UNAVAILABLE',
      message: `${provider} timed out after ${state.timeoutMs} ms`,
    });
  }
  if (state.callerAborted) return callerAborted(provider);
  const { code, type } = errorFields(error);
  if (type === 'max-size') {
    return new ProviderError({
      provider,
      kind: 'UPSTREAM_BAD_RESPONSE',
      message: `${provider} response larger than ${MAX_RESPONSE_BYTES} bytes`,
    });
  }
  // node-fetch's own messages embed the URL; only the system error code is safe and useful.
  return new ProviderError({
    provider,
    kind: 'UPSTREAM_UNAVAILABLE',
    message: `${provider} network error: ${code ?? type ?? 'unknown'}`,
  });
}

/** Nobody is waiting for the answer any more, so another attempt would be wasted. */
function callerAborted(provider: ProviderName): ProviderError {
  return new ProviderError({
    provider,
    kind: 'UPSTREAM_UNAVAILABLE',
    message: `${provider} request aborted by the caller`,
    retryable: false,
  });
}

function errorFields(error: unknown): { code: string | undefined; type: string | undefined } {
  if (typeof error !== 'object' || error === null) return { code: undefined, type: undefined };
  const { code, type, name } = error as { code?: unknown; type?: unknown; name?: unknown };
  return {
    code: typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : undefined,
    type: typeof type === 'string' ? type : typeof name === 'string' ? name : undefined,
  };
}

/**
 * Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Returns milliseconds from `nowMs`, never negative; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Date.parse also accepts loose forms like "5"; only accept strings that look like dates.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export { isRecord, parseJsonOrUndefined as parseJsonBody } from '../json.js';

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}
