/**
 * Alibaba ICE `WorkflowTask.NodeResults` -> WorkflowNodeResultsModel. No schema is published, so the
 * common shapes are read (a map keyed by node id, an array of entries naming their node, that array
 * in a wrapper object) and status, output and error lifted in their usual spellings; `raw` keeps
 * each entry as sent. An array entry without a node id is skipped with a warning. The decisions:
 * docs/architecture.md, "Parsing".
 */

import type {
  JsonObject,
  JsonValue,
  Parsed,
  WorkflowNodeResultModel,
  WorkflowNodeResultsModel,
  WorkflowParseWarningModel,
} from './models.js';
import { compactJson, isJsonObject, kindOf, toJsonValue } from './json-value.js';
import { asId, asString, pickAs } from './scalars.js';
import { entriesOf } from './workflow-graph.js';

const NODE_ID_KEYS = ['nodeId', 'NodeId', 'node_id', 'id', 'Id', 'ID'] as const;
const STATUS_KEYS = ['status', 'Status', 'state', 'State'] as const;
const OUTPUT_KEYS = ['output', 'Output', 'outputs', 'Outputs', 'result', 'Result'] as const;
const ERROR_KEYS = ['error', 'Error', 'errorMessage', 'ErrorMessage', 'error_message', 'message', 'Message'] as const;
const WRAPPER_KEYS: ReadonlySet<string> = new Set([
  'nodes',
  'Nodes',
  'nodeResults',
  'NodeResults',
  'results',
  'Results',
  'items',
  'Items',
  'data',
  'Data',
]);

export function parseNodeResults(input: unknown): Parsed<WorkflowNodeResultsModel> {
  const shaped = toJsonValue(input);
  if (!shaped.ok) return { ok: false, reason: `node results are ${shaped.reason}` };
  const value = shaped.value;

  const wrapped = unwrap(value);
  if (wrapped !== null) return { ok: true, value: fromArray(wrapped.list, wrapped.path) };
  if (Array.isArray(value)) return { ok: true, value: fromArray(value, '') };

  if (isJsonObject(value)) {
    const results: WorkflowNodeResultModel[] = [];
    for (const [nodeId, entry] of Object.entries(value)) {
      results.push(
        isJsonObject(entry)
          ? fromObject(nodeId, entry)
          : { nodeId, status: null, output: entry, error: null, raw: entry },
      );
    }
    return { ok: true, value: { results, skipped: 0, warnings: [] } };
  }

  return {
    ok: false,
    reason: `node results must be an object keyed by node id or an array of entries, got ${kindOf(value)}`,
    raw: value,
  };
}

function unwrap(value: JsonValue): { readonly list: readonly JsonValue[]; readonly path: string } | null {
  if (!isJsonObject(value)) return null;
  const keys = Object.keys(value);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !WRAPPER_KEYS.has(key)) return null;
  const list = value[key];
  if (!Array.isArray(list)) return null;
  return list.some((entry) => isJsonObject(entry) && pickAs(entry, NODE_ID_KEYS, asId) !== null)
    ? { list, path: key }
    : null;
}

function fromArray(list: readonly JsonValue[], base: string): WorkflowNodeResultsModel {
  const results: WorkflowNodeResultModel[] = [];
  const warnings: WorkflowParseWarningModel[] = [];
  for (const entry of entriesOf(list, base)) {
    const skip = (reason: string): void => {
      warnings.push({ part: 'NODE_RESULT', index: entry.index, key: null, path: entry.path, reason, skipped: true });
    };
    if (!isJsonObject(entry.value)) {
      skip(`expected an object, got ${kindOf(entry.value)}`);
      continue;
    }
    const nodeId = pickAs(entry.value, NODE_ID_KEYS, asId)?.value ?? null;
    if (nodeId === null) {
      skip(`no node id (looked for ${NODE_ID_KEYS.join('/')})`);
      continue;
    }
    results.push(fromObject(nodeId, entry.value));
  }
  return { results, skipped: warnings.length, warnings };
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
  results: Parsed<WorkflowNodeResultsModel> | readonly WorkflowNodeResultModel[] | null | undefined,
): Map<string, WorkflowNodeResultModel> {
  const index = new Map<string, WorkflowNodeResultModel>();
  const list = results == null ? [] : isParsed(results) ? (results.ok ? results.value.results : []) : results;
  for (const result of list) {
    if (!index.has(result.nodeId)) index.set(result.nodeId, result);
  }
  return index;
}

function isParsed(
  value: Parsed<WorkflowNodeResultsModel> | readonly WorkflowNodeResultModel[],
): value is Parsed<WorkflowNodeResultsModel> {
  return !Array.isArray(value);
}
