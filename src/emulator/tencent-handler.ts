/**
 * Tencent Cloud MPS, DescribeImageTaskDetail (API 3.0). Every error is HTTP 200 with
 * `Response.Error`, which is why clients must look inside the body, not at the status.
 * https://www.tencentcloud.com/document/api/1041/70401
 */
import { isJsonObject, tryParseJson } from './json.js';
import type { HandlerContext, ProviderFaultKind, ProviderHandler } from './provider.js';
import { signImageTaskUrls } from './signed-urls.js';
import { verifyTc3Request } from './tencent-auth.js';
import { jsonResponse, type EmulatorResponse, type ReceivedRequest } from './wire.js';

export const TENCENT_ACTION = 'DescribeImageTaskDetail';
export const TENCENT_VERSION = '2019-06-12';

export const tencentHandler: ProviderHandler = {
  provider: 'tencent-mps',

  identify(request) {
    const body = tryParseJson(request.body.toString('utf8'));
    const taskId = isJsonObject(body) && typeof body['TaskId'] === 'string' ? body['TaskId'] : null;
    return { action: request.headers['x-tc-action'] ?? '', taskId };
  },

  answer(request, context) {
    const fail = (code: string, message: string): EmulatorResponse => tencentError(request, context, code, message);

    // API 3.0 also accepts GET with form parameters; this emulator models only what our client sends.
    if (request.method !== 'POST' || request.path !== '/') {
      return fail(
        'UnsupportedOperation',
        'The emulator serves DescribeImageTaskDetail as POST / with a JSON body only.',
      );
    }
    const action = request.headers['x-tc-action'] ?? '';
    if (action !== TENCENT_ACTION) return fail('InvalidAction', `The action \`${action}\` is invalid or not found.`);
    const version = request.headers['x-tc-version'] ?? '';
    if (version !== TENCENT_VERSION)
      return fail('NoSuchVersion', `The API version \`${version}\` does not exist for ${TENCENT_ACTION}.`);
    const contentType = request.headers['content-type'];
    if (contentType === undefined || !/^application\/json\s*(;|$)/i.test(contentType)) {
      return fail('InvalidParameter', 'Content-Type must be application/json for a JSON request body.');
    }

    const verdict = verifyTc3Request(request, context.credentials.tencent, context.nowMs);
    if (!verdict.ok) return fail(verdict.code, verdict.message);

    const body = tryParseJson(request.body.toString('utf8'));
    if (!isJsonObject(body)) return fail('InvalidParameter', 'The request body is not a JSON object.');
    if (!('TaskId' in body)) return fail('MissingParameter', 'The request is missing a required parameter `TaskId`.');
    const taskId = body['TaskId'];
    if (typeof taskId !== 'string' || taskId === '') {
      return fail('InvalidParameterValue', 'The parameter `TaskId` must be a non-empty string.');
    }
    const task = context.tasks.imageTask(taskId);
    if (!task) {
      return fail('ResourceNotFound', `The task \`${taskId}\` does not exist or was submitted more than 7 days ago.`);
    }
    // Spreading keeps a seed's own RequestId position (doc examples) while minting a fresh value.
    const signed = signImageTaskUrls(task, context.nowMs, context.signedUrlLifetimeSeconds);
    return jsonResponse(
      200,
      { Response: { ...signed, RequestId: context.newRequestId() } },
      'ok',
      tencentHeaders(request),
    );
  },

  faultAnswer(kind: ProviderFaultKind, _fault, request, context) {
    return kind === 'throttle'
      ? tencentError(
          request,
          context,
          'RequestLimitExceeded',
          'Your current request times exceeds the limit, please try again later.',
          kind,
        )
      : tencentError(request, context, 'InternalError', 'An internal error has occurred. Retry your request.', kind);
  },
};

function tencentError(
  request: ReceivedRequest,
  context: HandlerContext,
  code: string,
  message: string,
  outcome: string = code,
): EmulatorResponse {
  const payload = { Response: { Error: { Code: code, Message: message }, RequestId: context.newRequestId() } };
  return jsonResponse(200, payload, outcome, tencentHeaders(request));
}

/** The gateway echoes the caller's X-TC-TraceId so a client can correlate its logs. */
function tencentHeaders(request: ReceivedRequest): Record<string, string> {
  const traceId = request.headers['x-tc-traceid'];
  return { 'content-type': 'application/json', ...(traceId ? { 'x-tc-traceid': traceId } : {}) };
}
