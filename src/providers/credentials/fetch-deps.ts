/**
 * What every credential source needs from outside, and the one way they call HTTP: one
 * attempt with a deadline (the holder decides about retries), the answer parsed as JSON,
 * failures turned into messages that carry no URL query, header or body.
 */
import type { ProviderName } from '../errors.js';
import { ProviderError } from '../errors.js';
import {
  isRecord,
  parseJsonBody,
  sendWithTimeout,
  type AgentChooser,
  type FetchLike,
  type HttpRequest,
} from '../http.js';
import { CredentialSourceError } from './source.js';

export interface SourceDeps {
  readonly fetch: FetchLike;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Reads a whole file as UTF-8 (token files, credentials files). */
  readonly readFile: (path: string) => Promise<string>;
  readonly timeoutMs: number;
  readonly agent?: AgentChooser;
}

/** The session name both STS calls carry: it shows in the cloud's audit log. */
export const ROLE_SESSION_NAME = 'media-task-subgraph';
/** Asked of STS; an STS or emulator may grant less. */
export const REQUESTED_DURATION_SECONDS = 3600;

export interface JsonReply {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
  /** As received, for the metadata answers that are plain text (a role name, an IMDSv2 token). */
  readonly text: string;
}

/** `what` names the call in messages, e.g. `STS AssumeRoleWithOIDC at sts.aliyuncs.com`. */
export async function requestJson(
  deps: SourceDeps,
  provider: ProviderName,
  what: string,
  request: HttpRequest,
): Promise<JsonReply> {
  try {
    const reply = await sendWithTimeout(request, {
      fetch: deps.fetch,
      provider,
      timeoutMs: deps.timeoutMs,
      agent: deps.agent,
      now: deps.now,
    });
    const parsed = parseJsonBody(reply.bodyText);
    return { status: reply.status, body: isRecord(parsed) ? parsed : undefined, text: reply.bodyText };
  } catch (error) {
    // sendWithTimeout's messages name only a timeout or a system error code.
    const detail = error instanceof ProviderError ? error.message.replace(`${provider} `, '') : 'request failed';
    throw new CredentialSourceError(`${what}: ${detail}`);
  }
}

/** Where a call went, for messages: the host only (a credentials URI may carry a token in its query). */
export function describeUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unreadable URL';
  }
}

export function stringField(record: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = record?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An ISO 8601 instant (`2026-12-04T03:00:00Z`) or unix seconds, as epoch ms. */
export function parseExpiry(iso: unknown, unixSeconds?: unknown): number | undefined {
  if (typeof unixSeconds === 'number' && Number.isFinite(unixSeconds) && unixSeconds > 0) return unixSeconds * 1000;
  if (typeof iso === 'string') {
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
}

/** A token file's content: the platform writes a JWT, sometimes with a trailing newline. */
export async function readTokenFile(deps: SourceDeps, path: string): Promise<string> {
  let text: string;
  try {
    text = await deps.readFile(path);
  } catch (error) {
    throw new CredentialSourceError(`cannot read the token file ${path}: ${errorCode(error)}`);
  }
  const token = text.trim();
  if (token === '') throw new CredentialSourceError(`the token file ${path} is empty`);
  return token;
}

export function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'unreadable';
}

/**
 * A host (ACK injects `sts-vpc.cn-hangzhou.aliyuncs.com`) means https on that host; a full
 * URL (a VPC endpoint on a port, the emulator) is used as it is. Always ends with `/`.
 */
export function endpointUrl(value: string): string {
  const url = /^https?:\/\//i.test(value) ? new URL(value) : new URL(`https://${value}`);
  return `${url.origin}/`;
}
