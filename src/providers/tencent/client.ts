/**
 * Tencent Cloud MPS client: DescribeImageTaskDetail over API 3.0 with TC3 signing.
 * One call = one signed attempt. Retries wrap this from outside, and because
 * the timestamp is taken per call, every retry is re-signed.
 * https://www.tencentcloud.com/document/api/1041/70401
 */
import type { TencentConfig, TencentCredentials } from '../../config/index.js';
import { createCredentialHolder, type CredentialHolder } from '../credentials/holder.js';
import { withCredential } from '../credentials/signed-call.js';
import { staticSource } from '../credentials/source.js';
import { badResponse, classifyHttpStatus, classifyTencentError } from '../errors.js';
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
import { signTc3 } from './signer.js';
import type { RawImageTaskDetail } from './types.js';

const PROVIDER = 'tencent-mps';
export const MPS_ACTION_DESCRIBE_IMAGE_TASK_DETAIL = 'DescribeImageTaskDetail';
export const MPS_API_VERSION = '2019-06-12';
/** The credential-scope service is `mps` for every MPS host (regional, intl, or an emulator). */
export const MPS_SERVICE = 'mps';
/**
 * Sent byte-identical to what is signed. Some HTTP libraries append a charset
 * to a bare `application/json`, which breaks the signature; sending the charset
 * ourselves leaves them nothing to add.
 */
export const MPS_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface ConfiguredTencent extends TencentConfig {
  readonly credentials: TencentCredentials;
}

export interface MpsClientDeps {
  readonly fetch: FetchLike;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** `credentials` may be null when `credentials` below is given. */
  readonly config: TencentConfig;
  readonly timeoutMs: number;
  /** Keep-alive agents; defaults to the process-wide chooser in http.ts. */
  readonly agent?: AgentChooser;
  /** Where each attempt's credential comes from (src/providers/credentials/); absent, `config.credentials` as static keys. */
  readonly credentials?: CredentialHolder<TencentCredentials>;
}

export interface DescribeImageTaskDetailResult {
  /** The content of `Response`, RequestId included. */
  readonly response: RawImageTaskDetail;
  readonly requestId: string | undefined;
}

export interface MpsClient {
  describeImageTaskDetail(
    taskId: string,
    options?: { readonly signal?: AbortSignal },
  ): Promise<DescribeImageTaskDetailResult>;
}

/**
 * The signed request for one attempt. Pure, so a test can compare it with the
 * published vector. The path is always `/` whatever the endpoint.
 */
export function buildDescribeImageTaskDetailRequest(
  config: ConfiguredTencent,
  taskId: string,
  nowMs: number,
): HttpRequest {
  const endpoint = new URL(config.endpoint);
  // Exactly what goes on the wire: Node sends our Host header as given, so host[:port] of the endpoint.
  const host = endpoint.host;
  const body = Buffer.from(JSON.stringify({ TaskId: taskId }), 'utf8');
  const timestamp = Math.floor(nowMs / 1000);
  const { authorization } = signTc3(config.credentials, {
    method: 'POST',
    canonicalUri: '/',
    canonicalQuery: '',
    headers: { 'content-type': MPS_CONTENT_TYPE, host },
    payload: body,
    service: MPS_SERVICE,
    timestamp,
  });
  const headers: Record<string, string> = {
    'Content-Type': MPS_CONTENT_TYPE,
    Host: host,
    'X-TC-Action': MPS_ACTION_DESCRIBE_IMAGE_TASK_DETAIL,
    'X-TC-Version': MPS_API_VERSION,
    'X-TC-Timestamp': String(timestamp),
    Authorization: authorization,
  };
  if (config.credentials.sessionToken !== undefined) headers['X-TC-Token'] = config.credentials.sessionToken;
  if (config.region !== undefined) headers['X-TC-Region'] = config.region;
  return { url: `${endpoint.origin}/`, method: 'POST', headers, body };
}

/**
 * Turns a reply into the `Response` content or a classified ProviderError.
 * API 3.0 reports failures as `Response.Error` with HTTP 200; a non-2xx status
 * without that body came from a gateway in front of the API.
 */
export function interpretDescribeImageTaskDetailReply(reply: HttpResult): DescribeImageTaskDetailResult {
  const { status, retryAfterMs } = reply;
  const parsed = parseJsonBody(reply.bodyText);
  const response = isRecord(parsed) ? parsed['Response'] : undefined;
  if (!isRecord(response)) {
    if (!isSuccessStatus(status)) throw classifyHttpStatus(PROVIDER, status, { retryAfterMs });
    throw badResponse(PROVIDER, parsed === undefined ? 'body is not JSON' : 'no Response object', {
      httpStatus: status,
    });
  }
  const requestId = typeof response['RequestId'] === 'string' ? response['RequestId'] : undefined;
  const error = response['Error'];
  if (error !== undefined && error !== null) {
    const code = isRecord(error) ? error['Code'] : undefined;
    if (typeof code !== 'string' || code === '') {
      throw badResponse(PROVIDER, 'Response.Error without a Code', { httpStatus: status, requestId });
    }
    const message = isRecord(error) && typeof error['Message'] === 'string' ? error['Message'] : '';
    throw classifyTencentError(code, message, requestId, status, retryAfterMs);
  }
  if (!isSuccessStatus(status)) throw classifyHttpStatus(PROVIDER, status, { requestId, retryAfterMs });
  // Field types are the parsers' business (src/parsing); here only the envelope is checked.
  return { response: response as RawImageTaskDetail, requestId };
}

export function createMpsClient(deps: MpsClientDeps): MpsClient {
  const credentials = deps.credentials ?? fixedKeys(deps.config.credentials, deps.now);
  return {
    describeImageTaskDetail: (taskId, options = {}) =>
      withCredential(credentials, async (credential) => {
        const request = buildDescribeImageTaskDetailRequest(
          { ...deps.config, credentials: credential },
          taskId,
          deps.now(),
        );
        const reply = await sendWithTimeout(request, {
          fetch: deps.fetch,
          provider: PROVIDER,
          timeoutMs: deps.timeoutMs,
          signal: options.signal,
          agent: deps.agent,
          now: deps.now,
        });
        return interpretDescribeImageTaskDetailReply(reply);
      }),
  };
}

function fixedKeys(keys: TencentCredentials | null, now: () => number): CredentialHolder<TencentCredentials> {
  if (keys === null) throw new TypeError('createMpsClient: config.credentials or a credential holder is required');
  return createCredentialHolder({ provider: PROVIDER, source: staticSource('env', keys, keys.secretId), now });
}
