/**
 * Alibaba Cloud ICE client: GetAIWorkflowTask, RPC style, ACS3 signing, sent
 * the way the official SDK sends it (POST, parameters in the query, empty body).
 * One call = one signed attempt with a fresh date and nonce, so retries wrapped
 * around it never trip SignatureNonceUsed.
 * https://www.alibabacloud.com/help/en/ims/developer-reference/api-ice-2020-11-09-getaiworkflowtask
 */
import { randomBytes } from 'node:crypto';
import type { AlibabaConfig, AlibabaCredentials } from '../../config/index.js';
import { createCredentialHolder, type CredentialHolder } from '../credentials/holder.js';
import { withCredential } from '../credentials/signed-call.js';
import { staticSource } from '../credentials/source.js';
import { badResponse, classifyAlibabaError, classifyHttpStatus } from '../errors.js';
import {
  isRecord,
  isSuccessStatus,
  parseJsonBody,
  sendWithTimeout,
  type AgentChooser,
  type FetchLike,
  type HttpRequest,
  type HttpResult,
} from '../http.js';
import { EMPTY_BODY_SHA256, acs3Date, signAcs3 } from './signer.js';
import type { RawGetAIWorkflowTaskResponse, RawWorkflowTask } from './types.js';

const PROVIDER = 'alibaba-ice';
export const ICE_ACTION_GET_AI_WORKFLOW_TASK = 'GetAIWorkflowTask';
export const ICE_API_VERSION = '2020-11-09';

/** 32 hex characters from the CSPRNG: the anti-replay nonce must never repeat. */
export function randomNonce(): string {
  return randomBytes(16).toString('hex');
}

export interface ConfiguredAlibaba extends AlibabaConfig {
  readonly credentials: AlibabaCredentials;
}

export interface IceClientDeps {
  readonly fetch: FetchLike;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Called once per attempt; pass `randomNonce` in production. */
  readonly randomNonce: () => string;
  /** `credentials` may be null when `credentials` below is given. */
  readonly config: AlibabaConfig;
  readonly timeoutMs: number;
  /** Keep-alive agents; defaults to the process-wide chooser in http.ts. */
  readonly agent?: AgentChooser;
  /** Where each attempt's credential comes from (src/providers/credentials/); absent, `config.credentials` as static keys. */
  readonly credentials?: CredentialHolder<AlibabaCredentials>;
}

export interface GetAIWorkflowTaskResult {
  /** The whole body (RequestId + WorkflowTask); WorkflowTask is known to be an object. */
  readonly body: RawGetAIWorkflowTaskResponse & { readonly WorkflowTask: RawWorkflowTask };
  readonly requestId: string | undefined;
}

export interface IceClient {
  getAIWorkflowTask(taskId: string, options?: { readonly signal?: AbortSignal }): Promise<GetAIWorkflowTaskResult>;
}

/**
 * The signed request for one attempt. Pure, so tests can pin it to the vectors.
 * The canonical query string from the signer is also the one on the wire:
 * re-encoding it (URLSearchParams turns a space into `+`) would break the signature.
 */
export function buildGetAIWorkflowTaskRequest(
  config: ConfiguredAlibaba,
  taskId: string,
  nowMs: number,
  nonce: string,
): HttpRequest {
  const endpoint = new URL(config.endpoint);
  const signedHeaders: Record<string, string> = {
    host: endpoint.host,
    'x-acs-action': ICE_ACTION_GET_AI_WORKFLOW_TASK,
    'x-acs-version': ICE_API_VERSION,
    'x-acs-date': acs3Date(nowMs),
    'x-acs-signature-nonce': nonce,
    'x-acs-content-sha256': EMPTY_BODY_SHA256,
  };
  if (config.credentials.securityToken !== undefined)
    signedHeaders['x-acs-security-token'] = config.credentials.securityToken;
  const { authorization, canonicalQuery } = signAcs3(config.credentials, {
    method: 'POST',
    canonicalUri: '/',
    query: { TaskId: taskId },
    headers: signedHeaders,
    payload: '',
  });
  return {
    url: `${endpoint.origin}/?${canonicalQuery}`,
    method: 'POST',
    // accept is deliberately unsigned, as the spec says; the SDK sends it the same way.
    headers: { ...signedHeaders, accept: 'application/json', authorization },
  };
}

/** Turns a reply into the body or a classified ProviderError. */
export function interpretGetAIWorkflowTaskReply(reply: HttpResult): GetAIWorkflowTaskResult {
  const { status, retryAfterMs } = reply;
  const parsed = parseJsonBody(reply.bodyText);
  if (!isRecord(parsed)) {
    if (!isSuccessStatus(status)) throw classifyHttpStatus(PROVIDER, status, { retryAfterMs });
    throw badResponse(PROVIDER, parsed === undefined ? 'body is not JSON' : 'body is not a JSON object', {
      httpStatus: status,
    });
  }
  const requestId = typeof parsed['RequestId'] === 'string' ? parsed['RequestId'] : undefined;
  const workflowTask = parsed['WorkflowTask'];
  if (isSuccessStatus(status) && isRecord(workflowTask)) {
    // Field types are the parsers' business (src/parsing); here only the shape of the envelope is checked.
    const body = { ...(parsed as RawGetAIWorkflowTaskResponse), WorkflowTask: workflowTask as RawWorkflowTask };
    return { body, requestId };
  }
  // The POP error body can arrive with any status, 200 included.
  const code = parsed['Code'];
  if (typeof code === 'string' && code !== '') {
    const message = typeof parsed['Message'] === 'string' ? parsed['Message'] : '';
    throw classifyAlibabaError(code, message, requestId, status, retryAfterMs);
  }
  if (!isSuccessStatus(status)) throw classifyHttpStatus(PROVIDER, status, { requestId, retryAfterMs });
  throw badResponse(PROVIDER, 'no WorkflowTask object', { httpStatus: status, requestId });
}

export function createIceClient(deps: IceClientDeps): IceClient {
  const credentials = deps.credentials ?? fixedKeys(deps.config.credentials, deps.now);
  return {
    getAIWorkflowTask: (taskId, options = {}) =>
      withCredential(credentials, async (credential) => {
        const request = buildGetAIWorkflowTaskRequest(
          { ...deps.config, credentials: credential },
          taskId,
          deps.now(),
          deps.randomNonce(),
        );
        const reply = await sendWithTimeout(request, {
          fetch: deps.fetch,
          provider: PROVIDER,
          timeoutMs: deps.timeoutMs,
          signal: options.signal,
          agent: deps.agent,
          now: deps.now,
        });
        return interpretGetAIWorkflowTaskReply(reply);
      }),
  };
}

function fixedKeys(keys: AlibabaCredentials | null, now: () => number): CredentialHolder<AlibabaCredentials> {
  if (keys === null) throw new TypeError('createIceClient: config.credentials or a credential holder is required');
  return createCredentialHolder({ provider: PROVIDER, source: staticSource('env', keys, keys.accessKeyId), now });
}
