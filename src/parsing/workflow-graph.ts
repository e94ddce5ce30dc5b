/**
 * Alibaba ICE `Workflow.Graph` -> WorkflowGraphModel.
 * The doc only says `{"nodes":[...],"edges":[...]}`; there is no public schema
 * for nodes or edges (reference §4), so we read the usual spellings of id,
 * type, name, source and target and keep everything else in `properties`.
 *
 * Decisions:
 * - A key counts as modelled only when its value was usable (an id/type/name
 *   that is a string or number). Unused aliases, null values and objects stay
 *   in `properties`, so the graph keeps every key the provider sent.
 * - `nodes` must be an array: without it this is not a graph we understand.
 *   A missing (or null) `edges` is an empty list: a one-node workflow has no
 *   edges and a provider may leave out an empty array. Present but not an
 *   array is an error.
 * - One bad node or edge fails the whole graph: a graph with holes would draw
 *   a different workflow than the one that ran. The reason names the culprit.
 * - Edges are not checked against node ids: a dangling edge is the provider's
 *   data, and hiding it would hide the problem.
 */

import type { JsonObject, JsonValue, Parsed, WorkflowEdgeModel, WorkflowGraphModel, WorkflowNodeModel } from './models.js';
import { defineKey, isJsonObject, kindOf, toJsonValue } from './json-value.js';
import { asId, asString, pickAs, pickKey } from './scalars.js';

const NODES_KEYS = ['nodes', 'Nodes'] as const;
const EDGES_KEYS = ['edges', 'Edges'] as const;
const NODE_ID_KEYS = ['id', 'Id', 'ID', 'nodeId', 'NodeId', 'node_id', 'key', 'Key'] as const;
const NODE_TYPE_KEYS = ['type', 'Type', 'nodeType', 'NodeType', 'node_type'] as const;
const NODE_NAME_KEYS = ['name', 'Name', 'label', 'Label', 'title', 'Title'] as const;
const EDGE_SOURCE_KEYS = ['source', 'Source', 'from', 'From', 'sourceNodeId', 'SourceNodeId', 'source_node_id'] as const;
const EDGE_TARGET_KEYS = ['target', 'Target', 'to', 'To', 'targetNodeId', 'TargetNodeId', 'target_node_id'] as const;

export function parseWorkflowGraph(input: unknown): Parsed<WorkflowGraphModel> {
  const shaped = toJsonValue(input);
  if (!shaped.ok) return { ok: false, reason: `graph is ${shaped.reason}` };
  const graph = shaped.value;
  if (!isJsonObject(graph)) {
    return { ok: false, reason: `graph must be an object with a nodes array, got ${kindOf(graph)}`, raw: graph };
  }

  const nodesEntry = pickKey(graph, NODES_KEYS);
  if (nodesEntry === null || !Array.isArray(nodesEntry.value)) {
    const got = nodesEntry === null ? 'no nodes' : `${nodesEntry.key} is ${kindOf(nodesEntry.value)}`;
    return { ok: false, reason: `graph must have a nodes array, got ${got}`, raw: graph };
  }
  const edgesEntry = pickKey(graph, EDGES_KEYS);
  let edgeList: readonly JsonValue[] = [];
  if (edgesEntry !== null) {
    if (!Array.isArray(edgesEntry.value)) {
      return { ok: false, reason: `graph ${edgesEntry.key} must be an array, got ${kindOf(edgesEntry.value)}`, raw: graph };
    }
    edgeList = edgesEntry.value;
  }

  const nodes: WorkflowNodeModel[] = [];
  for (const [index, entry] of nodesEntry.value.entries()) {
    const node = parseNode(entry);
    if (typeof node === 'string') return { ok: false, reason: `graph node ${index}: ${node}`, raw: graph };
    nodes.push(node);
  }
  const edges: WorkflowEdgeModel[] = [];
  for (const [index, entry] of edgeList.entries()) {
    const edge = parseEdge(entry);
    if (typeof edge === 'string') return { ok: false, reason: `graph edge ${index}: ${edge}`, raw: graph };
    edges.push(edge);
  }
  return { ok: true, value: { nodes, edges } };
}

/** A node, or the reason it is not one. */
function parseNode(entry: JsonValue | undefined): WorkflowNodeModel | string {
  if (!isJsonObject(entry)) return `expected an object, got ${kindOf(entry)}`;
  const used = new Set<string>();
  const id = read(entry, NODE_ID_KEYS, asId, used);
  if (id === null) return `no id (looked for ${NODE_ID_KEYS.join('/')})`;
  return {
    id,
    type: read(entry, NODE_TYPE_KEYS, asString, used),
    name: read(entry, NODE_NAME_KEYS, asString, used),
    properties: rest(entry, used),
  };
}

function parseEdge(entry: JsonValue | undefined): WorkflowEdgeModel | string {
  if (!isJsonObject(entry)) return `expected an object, got ${kindOf(entry)}`;
  const used = new Set<string>();
  const source = read(entry, EDGE_SOURCE_KEYS, asId, used);
  if (source === null) return `no source (looked for ${EDGE_SOURCE_KEYS.join('/')})`;
  const target = read(entry, EDGE_TARGET_KEYS, asId, used);
  if (target === null) return `no target (looked for ${EDGE_TARGET_KEYS.join('/')})`;
  return { source, target, properties: rest(entry, used) };
}

/** The first alias whose value converts; its key is recorded as modelled. */
function read<T>(entry: JsonObject, aliases: readonly string[], convert: (value: unknown) => T | null, used: Set<string>): T | null {
  const found = pickAs(entry, aliases, convert);
  if (found === null) return null;
  used.add(found.key);
  return found.value;
}

/** Keys not modelled, or null when every key was. */
function rest(entry: JsonObject, used: ReadonlySet<string>): JsonObject | null {
  const out: JsonObject = {};
  let any = false;
  for (const [key, value] of Object.entries(entry)) {
    if (used.has(key)) continue;
    defineKey(out, key, value);
    any = true;
  }
  return any ? out : null;
}
