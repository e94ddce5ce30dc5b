/**
 * Alibaba Cloud ICE, GetAIWorkflowTask (RPC style, ACS3 signature). Errors use real
 * HTTP statuses and a flat `{RequestId, HostId, Code, Message, Recommend}` body.
 * https://www.alibabacloud.com/help/en/ims/developer-reference/api-ice-2020-11-09-getaiworkflowtask
 */
import { verifyAcs3Request } from './alibaba-auth.js';
import { retryAfterHeader } from './fault-answers.js';
import type { HandlerContext, ProviderFaultKind, ProviderHandler } from './provider.js';
import { decodeQuery, jsonResponse, type EmulatorResponse, type ReceivedRequest } from './wire.js';

export const ALIBABA_ACTION = 'GetAIWorkflowTask';
export const ALIBABA_VERSION = '2020-11-09';
const DEFAULT_HOST_ID = 'ice.cn-shanghai.aliyuncs.com';

/**
 * ICE documents no code for an unknown task. The reference advice for clients is "HTTP
 * 404, or a Code matching NotFound/NotExist, means task not found", so the emulator
 * answers 404 `TaskNotExist`, which satisfies both tests.
 */
export const ALIBABA_TASK_NOT_FOUND_CODE = 'TaskNotExist';

export const alibabaHandler: ProviderHandler = {
  provider: 'alibaba-ice',

  identify(request) {
    return { action: request.headers['x-acs-action'] ?? '', taskId: decodeQuery(request.rawQuery)['TaskId'] ?? null };
  },

  answer(request, context) {
    const fail = (status: number, code: string, message: string): EmulatorResponse =>
      alibabaError(request, context, status, code, message);

    if (request.method !== 'POST' && request.method !== 'GET') {
      return fail(400, 'UnsupportedHTTPMethod', `The HTTP method ${request.method} is not supported; use POST or GET.`);
    }
    const action = request.headers['x-acs-action'] ?? '';
    if (request.path !== '/' || action !== ALIBABA_ACTION) {
      return fail(
        404,
        'InvalidApi.NotFound',
        `Specified api is not found, please check your url and method (action \`${action}\`).`,
      );
    }
    const version = request.headers['x-acs-version'] ?? '';
    if (version !== ALIBABA_VERSION)
      return fail(400, 'InvalidVersion', `Specified parameter Version \`${version}\` is not valid.`);

    const verdict = verifyAcs3Request(request, context.credentials.alibaba, context.nonces, context.nowMs);
    if (!verdict.ok) return fail(verdict.status, verdict.code, verdict.message);

    const taskId = decodeQuery(request.rawQuery)['TaskId'];
    if (taskId === undefined) {
      return fail(
        400,
        'MissingParameter',
        'The input parameter "TaskId" that is mandatory for processing this request is not supplied.',
      );
    }
    if (taskId === '') return fail(400, 'InvalidParameter', 'The parameter TaskId must not be empty.');
    const task = context.tasks.workflowTask(taskId);
    if (!task) return fail(404, ALIBABA_TASK_NOT_FOUND_CODE, `The workflow task ${taskId} does not exist.`);

    const requestId = alibabaRequestId(context);
    return jsonResponse(200, { RequestId: requestId, WorkflowTask: task }, 'ok', alibabaHeaders(requestId));
  },

  faultAnswer(kind: ProviderFaultKind, fault, request, context) {
    if (kind === 'throttle') {
      // Flow control answers 400/403/429 depending on product; 429 is the one with Retry-After semantics.
      return alibabaError(
        request,
        context,
        429,
        'Throttling.User',
        'Request was denied due to user flow control.',
        kind,
        retryAfterHeader(fault),
      );
    }
    return alibabaError(
      request,
      context,
      500,
      'InternalError',
      'The request processing has failed due to some unknown error, exception or failure.',
      kind,
    );
  },
};

function alibabaError(
  request: ReceivedRequest,
  context: HandlerContext,
  status: number,
  code: string,
  message: string,
  outcome: string = code,
  extraHeaders: Record<string, string> = {},
): EmulatorResponse {
  const requestId = alibabaRequestId(context);
  const payload = {
    RequestId: requestId,
    HostId: request.headers['host'] ?? DEFAULT_HOST_ID,
    Code: code,
    Message: message,
    Recommend: `https://api.alibabacloud.com/troubleshoot?intl_lang=EN_US&q=${encodeURIComponent(code)}&product=ICE&requestId=${requestId}`,
  };
  return jsonResponse(status, payload, outcome, { ...alibabaHeaders(requestId), ...extraHeaders });
}

/** Alibaba request ids are upper-case UUIDs (e.g. 6BE56E05-…-FD90C4FFD581). */
function alibabaRequestId(context: HandlerContext): string {
  return context.newRequestId().toUpperCase();
}

function alibabaHeaders(requestId: string): Record<string, string> {
  return { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId };
}
