/**
 * An HTTP face for the emulator's test controls, for tools that run it in another process. Paths
 * start with /__emulator/ (which neither provider uses) and are not logged as provider calls. The
 * routes (health, seed, faults, calls, tasks/:taskId/script and /advance) are listed in
 * docs/emulator.md, "Controls".
 */
import { faultProblem } from './faults.js';
import { isJsonObject, tryParseJson } from './json.js';
import { SEED } from './seed-tasks.js';
import type { JsonObject } from './json.js';
import type { ScriptOptions, ScriptPosition } from './task-scripts.js';
import type { CallFilter, CallRecord, Fault, FaultKind, FaultTarget, ProviderId } from './types.js';
import { decodeQuery, jsonResponse, textResponse, type EmulatorResponse, type ReceivedRequest } from './wire.js';

export const CONTROL_PREFIX = '/__emulator/';
const CONTROL_OUTCOME = 'control';

export interface ControlSurface {
  injectFault(target: FaultTarget, fault: Fault): void;
  clearFaults(): void;
  calls(filter: CallFilter): readonly CallRecord[];
  callCount(filter: CallFilter): number;
  resetCalls(): void;
  scriptTask(
    provider: ProviderId,
    taskId: string,
    steps?: readonly JsonObject[],
    options?: ScriptOptions,
  ): ScriptPosition;
  advanceTask(provider: ProviderId, taskId: string): ScriptPosition | null;
}

const TASK_ROUTE = /^tasks\/([^/]+)\/(script|advance)$/;

export function controlAnswer(request: ReceivedRequest, emulator: ControlSurface): EmulatorResponse {
  const taskRoute = request.method === 'POST' ? TASK_ROUTE.exec(request.path.slice(CONTROL_PREFIX.length)) : null;
  if (taskRoute) return taskAnswer(decodeURIComponent(taskRoute[1]!), taskRoute[2] === 'script', request, emulator);
  const route = `${request.method} ${request.path.slice(CONTROL_PREFIX.length)}`;
  switch (route) {
    case 'GET health':
      return jsonResponse(200, { ok: true }, CONTROL_OUTCOME);
    case 'GET seed':
      return jsonResponse(200, SEED, CONTROL_OUTCOME);
    case 'POST faults': {
      const parsed = parseFaultRequest(tryParseJson(request.body.toString('utf8')));
      if (typeof parsed === 'string') return jsonResponse(400, { error: parsed }, CONTROL_OUTCOME);
      emulator.injectFault(parsed.target, parsed.fault);
      return textResponse(204, '', CONTROL_OUTCOME);
    }
    case 'DELETE faults':
      emulator.clearFaults();
      return textResponse(204, '', CONTROL_OUTCOME);
    case 'GET calls': {
      const query = decodeQuery(request.rawQuery);
      const filter: CallFilter = {};
      if (query['provider'] === 'tencent-mps' || query['provider'] === 'alibaba-ice')
        filter.provider = query['provider'];
      if (query['action'] !== undefined) filter.action = query['action'];
      if (query['taskId'] !== undefined) filter.taskId = query['taskId'];
      return jsonResponse(200, { count: emulator.callCount(filter), calls: emulator.calls(filter) }, CONTROL_OUTCOME);
    }
    case 'DELETE calls':
      emulator.resetCalls();
      return textResponse(204, '', CONTROL_OUTCOME);
    default:
      return jsonResponse(404, { error: `no control route ${route}` }, CONTROL_OUTCOME);
  }
}

function taskAnswer(
  taskId: string,
  script: boolean,
  request: ReceivedRequest,
  emulator: ControlSurface,
): EmulatorResponse {
  const body = tryParseJson(request.body.toString('utf8'));
  if (!isJsonObject(body))
    return jsonResponse(400, { error: 'body must be a JSON object {"provider", ...}' }, CONTROL_OUTCOME);
  const provider = body['provider'];
  if (provider !== 'tencent-mps' && provider !== 'alibaba-ice')
    return jsonResponse(400, { error: 'provider must be tencent-mps or alibaba-ice' }, CONTROL_OUTCOME);
  if (!script) {
    const position = emulator.advanceTask(provider, taskId);
    return position
      ? jsonResponse(200, position, CONTROL_OUTCOME)
      : jsonResponse(404, { error: `task ${taskId} has no script` }, CONTROL_OUTCOME);
  }
  const steps = body['steps'];
  if (steps !== undefined && (!Array.isArray(steps) || steps.length === 0 || !steps.every(isJsonObject))) {
    return jsonResponse(400, { error: 'steps must be a non-empty array of objects' }, CONTROL_OUTCOME);
  }
  const every = body['advanceEveryCalls'];
  if (every !== undefined && (typeof every !== 'number' || !Number.isInteger(every) || every < 1)) {
    return jsonResponse(400, { error: 'advanceEveryCalls must be a positive integer' }, CONTROL_OUTCOME);
  }
  const position = emulator.scriptTask(
    provider,
    taskId,
    steps as JsonObject[] | undefined,
    every === undefined ? {} : { advanceEveryCalls: every },
  );
  return jsonResponse(200, position, CONTROL_OUTCOME);
}

/** The body is untrusted JSON: check every field's type before it becomes a Fault. */
function parseFaultRequest(body: unknown): { target: FaultTarget; fault: Fault } | string {
  if (!isJsonObject(body)) return 'body must be a JSON object {"target"?, "fault"}';
  const rawTarget = body['target'] ?? {};
  const rawFault = body['fault'];
  if (!isJsonObject(rawTarget)) return 'target must be an object';
  if (!isJsonObject(rawFault)) return 'fault must be an object';

  const target: FaultTarget = {};
  if (rawTarget['provider'] !== undefined) target.provider = rawTarget['provider'] as ProviderId;
  if (rawTarget['taskId'] !== undefined) target.taskId = rawTarget['taskId'] as string;
  if (typeof rawFault['kind'] !== 'string') return 'fault.kind must be a string';
  const fault: Fault = { kind: rawFault['kind'] as FaultKind };
  for (const key of ['latencyMs', 'times', 'retryAfterSeconds'] as const) {
    const value = rawFault[key];
    if (value === undefined) continue;
    if (typeof value !== 'number') return `fault.${key} must be a number`;
    fault[key] = value;
  }
  // The casts above are checked here, by the same rules injectFault applies.
  return faultProblem(target, fault) ?? { target, fault };
}
