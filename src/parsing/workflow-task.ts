/**
 * Alibaba ICE GetAIWorkflowTask body (`{RequestId, WorkflowTask}`) -> WorkflowTaskModel. Every
 * field is optional; `inputs`/`outputs`/`userData` never fail (non-JSON text is kept), while
 * `graph` and `nodeResults` say why when they cannot be typed, without touching the other fields;
 * `graphSource`/`nodeResultsSource` always carry what the provider sent.
 */

import type {
  JsonValue,
  Parsed,
  TaskState,
  WorkflowGraphModel,
  WorkflowModel,
  WorkflowNodeResultsModel,
  WorkflowStatus,
  WorkflowTaskModel,
  WorkflowTaskStatus,
} from './models.js';
import { isJsonObject, isRecord } from './json-value.js';
import { jsonFieldOrRaw, parseJsonField } from './json-field.js';
import { parseNodeResults } from './node-results.js';
import { asString, mapEnum } from './scalars.js';
import { earliestUrlExpiryIn } from './signed-url-expiry.js';
import { durationSeconds, toRfc3339Seconds } from './time.js';
import { parseWorkflowGraph } from './workflow-graph.js';

const TASK_STATUS: Readonly<Record<string, WorkflowTaskStatus>> = {
  running: 'RUNNING',
  stopped: 'STOPPED',
  failed: 'FAILED',
  'partial-succeeded': 'PARTIAL_SUCCEEDED',
  succeeded: 'SUCCEEDED',
};

const STATE: Readonly<Record<WorkflowTaskStatus, TaskState>> = {
  RUNNING: 'RUNNING',
  STOPPED: 'STOPPED',
  FAILED: 'FAILED',
  PARTIAL_SUCCEEDED: 'PARTIALLY_SUCCEEDED',
  SUCCEEDED: 'SUCCEEDED',
  UNKNOWN: 'UNKNOWN',
};

const WORKFLOW_STATUS: Readonly<Record<string, WorkflowStatus>> = {
  draft: 'DRAFT',
  published: 'PUBLISHED',
  editing: 'EDITING',
};

export function parseWorkflowTaskStatus(value: unknown): WorkflowTaskStatus | null {
  return mapEnum(value, TASK_STATUS, 'UNKNOWN');
}

export function workflowTaskState(status: WorkflowTaskStatus | null): TaskState {
  return status === null ? 'UNKNOWN' : STATE[status];
}

/** Every documented status except `running` is final; an unknown one might not be, so it is not cached as final. */
export function isTerminalWorkflowStatus(status: WorkflowTaskStatus | null): boolean {
  return status !== null && status !== 'RUNNING' && status !== 'UNKNOWN';
}

export function parseWorkflowStatus(value: unknown): WorkflowStatus | null {
  return mapEnum(value, WORKFLOW_STATUS, 'UNKNOWN');
}

export function parseWorkflowTask(taskId: string, body: unknown): WorkflowTaskModel {
  const envelope = isRecord(body) ? body : {};
  const task = taskObject(envelope);
  const status = parseWorkflowTaskStatus(task.Status);
  const userData = optionalJson(task.UserData);
  return {
    // The requested id, not the echoed one: loaders key their results by it.
    taskId,
    status,
    state: workflowTaskState(status),
    inputs: optionalJson(task.Inputs),
    createTime: toRfc3339Seconds(task.CreateTime),
    finishTime: toRfc3339Seconds(task.FinishTime),
    durationSeconds: durationSeconds(task.CreateTime, task.FinishTime),
    workflow: parseWorkflow(task.Workflow),
    nodeResults: parseNodeResultsField(task.NodeResults),
    nodeResultsSource: optionalJson(task.NodeResults),
    outputs: optionalJson(task.Outputs),
    userData,
    notifyAddress: notifyAddressOf(userData),
    version: asString(task.Version),
    requestId: asString(envelope.RequestId),
    terminal: isTerminalWorkflowStatus(status),
    signedUrlsExpireAt: earliestUrlExpiryIn([task.Outputs, task.NodeResults]),
  };
}

/**
 * The documented body wraps the task in `WorkflowTask`; a bare task object
 * (recognised by its own TaskId/Status) is accepted too, so a caller that
 * already unwrapped it still gets a model.
 */
function taskObject(envelope: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (isRecord(envelope.WorkflowTask)) return envelope.WorkflowTask;
  if (envelope.WorkflowTask === undefined && (envelope.TaskId !== undefined || envelope.Status !== undefined)) {
    return envelope;
  }
  return {};
}

function optionalJson(value: unknown): JsonValue | null {
  return value === undefined || value === null ? null : jsonFieldOrRaw(value);
}

export function parseWorkflow(value: unknown): WorkflowModel | null {
  if (!isRecord(value)) return null;
  return {
    workflowId: asString(value.WorkflowId),
    name: asString(value.Name),
    status: parseWorkflowStatus(value.Status),
    type: asString(value.Type),
    createTime: toRfc3339Seconds(value.CreateTime),
    modifiedTime: toRfc3339Seconds(value.ModifiedTime),
    version: asString(value.Version),
    graph: parseGraphField(value.Graph),
    graphSource: optionalJson(value.Graph),
  };
}

/**
 * Absent, null and blank mean "no graph" (the SDK models Graph as a string and
 * may send "" for none), so null, not a parse failure.
 */
export function parseGraphField(value: unknown): Parsed<WorkflowGraphModel> | null {
  return parseStructured(value, parseWorkflowGraph);
}

/** Same absent/blank rule as the graph. */
export function parseNodeResultsField(value: unknown): Parsed<WorkflowNodeResultsModel> | null {
  return parseStructured(value, parseNodeResults);
}

function parseStructured<T>(value: unknown, parse: (decoded: JsonValue) => Parsed<T>): Parsed<T> | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  const decoded = parseJsonField(value);
  if (!decoded.ok) return { ok: false, reason: decoded.reason, raw: decoded.raw };
  return parse(decoded.value);
}

/**
 * UserData is free-form caller data; by convention (doc example) it carries the
 * callback URL as `NotifyAddress`. Other spellings are matched ignoring case and
 * `_`, exact `NotifyAddress` first. Blank text is not an address.
 */
export function notifyAddressOf(userData: JsonValue | null): string | null {
  if (!isJsonObject(userData)) return null;
  const keys = Object.keys(userData);
  const key = keys.includes('NotifyAddress')
    ? 'NotifyAddress'
    : keys.find((k) => k.toLowerCase().replace(/_/g, '') === 'notifyaddress');
  if (key === undefined) return null;
  const value = userData[key];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
