/**
 * One emulator request: read whole, answered by the platform, the control API or a provider
 * handler; a provider call is logged first, then meets any injected fault.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallEntry, CallLog } from './call-log.js';
import { CONTROL_PREFIX, controlAnswer, type ControlSurface } from './control.js';
import { nonJsonAnswer, unavailableAnswer } from './fault-answers.js';
import { DEFAULT_LATENCY_MS, type FaultRegistry } from './faults.js';
import type { Platform } from './platform.js';
import type { HandlerContext, ProviderHandler } from './provider.js';
import { routeProvider } from './routing.js';
import type { Fault } from './types.js';
import { textResponse, toReceivedRequest, type EmulatorResponse, type ReceivedRequest } from './wire.js';

export interface ServeDeps {
  readonly now: () => number;
  readonly platform: Platform;
  readonly control: ControlSurface;
  readonly log: CallLog;
  readonly faults: FaultRegistry;
  readonly context: () => HandlerContext;
  readonly delay: (ms: number) => Promise<void>;
  readonly closing: () => boolean;
}

export async function serve(deps: ServeDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Taken before the body is read: a provider counts a request against its quota when it arrives.
  const receivedAt = deps.now();
  const request = toReceivedRequest(req, await readBody(req));

  const platformAnswer = deps.platform.answer(request, receivedAt);
  if (platformAnswer) {
    send(res, platformAnswer);
    return;
  }
  if (request.path.startsWith(CONTROL_PREFIX)) {
    send(res, controlAnswer(request, deps.control));
    return;
  }
  const handler = routeProvider(request);
  if (!handler) {
    send(
      res,
      textResponse(400, 'Neither X-TC-Action (Tencent MPS) nor x-acs-action (Alibaba ICE) was sent.', 'unroutable'),
    );
    return;
  }
  await serveProviderCall(deps, handler, request, receivedAt, req, res);
}

async function serveProviderCall(
  deps: ServeDeps,
  handler: ProviderHandler,
  request: ReceivedRequest,
  receivedAt: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { action, taskId } = handler.identify(request);
  const call = deps.log.record({
    provider: handler.provider,
    action,
    taskId,
    method: request.method,
    url: request.url,
    headers: { ...request.headers },
    body: request.body.toString('utf8'),
    receivedAt,
  });
  const answer = (response: EmulatorResponse): void => {
    call.settle(response.outcome);
    send(res, response);
  };
  const fault = deps.faults.take(handler.provider, taskId);
  if (fault !== null && (await applyFault(deps, fault, { handler, request, call, answer, req }))) return;
  answer(handler.answer(request, deps.context()));
}

interface FaultedCall {
  readonly handler: ProviderHandler;
  readonly request: ReceivedRequest;
  readonly call: CallEntry;
  readonly answer: (response: EmulatorResponse) => void;
  readonly req: IncomingMessage;
}

/** True when the fault has dealt with the request; false when the normal answer follows. */
async function applyFault(deps: ServeDeps, fault: Fault, faulted: FaultedCall): Promise<boolean> {
  const { handler, request, call, answer, req } = faulted;
  switch (fault.kind) {
    case 'latency':
      // The answer after the wait is the normal one, so the log records its real outcome.
      await deps.delay(fault.latencyMs ?? DEFAULT_LATENCY_MS);
      return deps.closing();
    case 'throttle':
    case 'internal-error':
      answer(handler.faultAnswer(fault.kind, fault, request, deps.context()));
      return true;
    case 'unavailable':
      answer(unavailableAnswer(fault));
      return true;
    case 'non-json':
      answer(nonJsonAnswer());
      return true;
    case 'drop-connection':
      call.settle(fault.kind);
      req.socket.destroy();
      return true;
    case 'hang':
      // Never answered: the client times out, or close() destroys the socket.
      call.settle(fault.kind);
      return true;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, response: EmulatorResponse): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string | number> = { ...response.headers };
  if (response.status !== 204) headers['content-length'] = Buffer.byteLength(response.body);
  res.writeHead(response.status, headers);
  res.end(response.status === 204 ? undefined : response.body);
}
