/**
 * Alibaba ICE `WorkflowTask.NodeResults` -> WorkflowNodeResultModel[].
 * "The structure of this JSON varies based on the workflow's configuration"
 * and no schema is published, so two common shapes are read:
 * - an object keyed by node id: `{"asr_1": {...}, "llm_1": "text"}`
 * - an array of entries that name their node: `[{"nodeId": "asr_1", ...}]`
 * From each entry we lift status, output and error in their usual spellings;
 * `raw` keeps the entry exactly as sent, so nothing depends on our guesses.
 *
 * Decisions:
 * - In the keyed form a value that is not an object (text, number, array) is
 *   the node's output. An object entry without any output key has output null;
 *   its content is still in `raw`.
 * - An array entry without a node id fails the whole list: results we cannot
 *   join to a node are not results we can show in the right place.
 * - `error` is text for GraphQL; a structured error becomes compact JSON.
 */

import type { JsonObject, JsonValue, Parsed, WorkflowNodeResultModel } from './models.js';
import { compactJson, isJsonObject, kindOf, toJsonValue } from './json-value.js';
import { asId, asString, pickAs } from './scalars.js';

const NODE_ID_KEYS = ['nodeId', 'NodeId', 'node_id', 'id', 'Id', 'ID'] as const;
const STATUS_KEYS = ['status', 'Status', 'state', 'State'] as const;
const OUTPUT_KEYS = ['output', 'Output', 'outputs', 'Outputs', 'result', 'Result'] as const;
const ERROR_KEYS = ['error', 'Error', 'errorMessage', 'ErrorMessage', 'error_message', 'message', 'Message'] as const;

export function parseNodeResults(input: unknown): Parsed<readonly WorkflowNodeResultModel[]> {
  const shaped = toJsonValue(input);
  if (!shaped.ok) return { ok: false, reason: `node results are ${shaped.reason}` };
  const value = shaped.value;

  if (Array.isArray(value)) {
    const results: WorkflowNodeResultModel[] = [];
    for (const [index, entry] of value.entries()) {
      if (!isJsonObject(entry)) {
        return { ok: false, reason: `node result ${index}: expected an object, got ${kindOf(entry)}`, raw: value };
      }
      const nodeId = pickAs(entry, NODE_ID_KEYS, asId)?.value ?? null;
      if (nodeId === null) {
        return { ok: false, reason: `node result ${index}: no node id (looked for ${NODE_ID_KEYS.join('/')})`, raw: value };
      }
      results.push(fromObject(nodeId, entry));
    }
    return { ok: true, value: results };
  }

  if (isJsonObject(value)) {
    const results: WorkflowNodeResultModel[] = [];
    for (const [nodeId, entry] of Object.entries(value)) {
      results.push(
        isJsonObject(entry) ? fromObject(nodeId, entry) : { nodeId, status: null, output: entry, error: null, raw: entry },
      );
    }
    return { ok: true, value: results };
  }

  return {
    ok: false,
    reason: `node results must be an object keyed by node id or an array of entries, got ${kindOf(value)}`,
    raw: value,
  };
}

function fromObject(nodeId: string, entry: JsonObject): WorkflowNodeResultModel {
  const output = pickAs(entry, OUTPUT_KEYS, presentJson)?.value ?? null;
  const error = pickAs(entry, ERROR_KEYS, presentJson)?.value ?? null;
  return {
    nodeId,
    status: pickAs(entry, STATUS_KEYS, asString)?.value ?? null,
    output,
    error: error === null ? null : typeof error === 'string' ? error : compactJson(error),
    raw: entry,
  };
}

/** Any present JSON value; null means "not sent" and moves on to the next spelling. */
function presentJson(value: unknown): JsonValue | null {
  return value === undefined ? null : (value as JsonValue | null);
}

/**
 * Node results by node id, for `WorkflowNode.result`. Accepts the task's
 * `nodeResults` field as is (null or ok:false give an empty index). When an id
 * repeats (only possible in the array form) the first entry wins: we do not
 * guess whether later entries are retries; the full list stays available.
 */
export function nodeResultIndex(
  results: Parsed<readonly WorkflowNodeResultModel[]> | readonly WorkflowNodeResultModel[] | null | undefined,
): Map<string, WorkflowNodeResultModel> {
  const index = new Map<string, WorkflowNodeResultModel>();
  const list = results == null ? [] : isParsed(results) ? (results.ok ? results.value : []) : results;
  for (const result of list) {
    if (!index.has(result.nodeId)) index.set(result.nodeId, result);
  }
  return index;
}

function isParsed(
  value: Parsed<readonly WorkflowNodeResultModel[]> | readonly WorkflowNodeResultModel[],
): value is Parsed<readonly WorkflowNodeResultModel[]> {
  return !Array.isArray(value);
}
