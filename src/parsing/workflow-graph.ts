/**
 * Alibaba ICE `Workflow.Graph` -> WorkflowGraphModel. No public schema exists, so this reads the
 * shapes such graphs come in (nodes as an array or a map; edges as pairs in several spellings
 * and/or `next`/`children` lists) and keeps what it does not model in `properties`. Parsing is per
 * node and per edge: an unreadable entry is skipped and named in `warnings`; the graph fails only
 * when nothing is graph-like. The decisions: docs/architecture.md, "Parsing".
 */

import type {
  JsonObject,
  JsonValue,
  Parsed,
  WorkflowEdgeModel,
  WorkflowGraphModel,
  WorkflowNodeModel,
  WorkflowParseWarningModel,
} from './models.js';
import { defineKey, isJsonObject, kindOf, toJsonValue } from './json-value.js';
import { asId, asString, pickAs, pickKey } from './scalars.js';

const NODES_KEYS = ['nodes', 'Nodes'] as const;
const EDGES_KEYS = ['edges', 'Edges'] as const;
export const NODE_ID_KEYS = ['id', 'Id', 'ID', 'nodeId', 'NodeId', 'node_id', 'key', 'Key'] as const;
const NODE_TYPE_KEYS = ['type', 'Type', 'nodeType', 'NodeType', 'node_type'] as const;
const NODE_NAME_KEYS = ['name', 'Name', 'label', 'Label', 'title', 'Title'] as const;
const NEXT_KEYS = ['next', 'Next', 'children', 'Children'] as const;
const EDGE_SOURCE_KEYS = [
  'source',
  'Source',
  'from',
  'From',
  'sourceNodeId',
  'SourceNodeId',
  'source_node_id',
] as const;
const EDGE_TARGET_KEYS = ['target', 'Target', 'to', 'To', 'targetNodeId', 'TargetNodeId', 'target_node_id'] as const;

/** One entry of a list or map, with where it was found. */
export interface Entry {
  readonly index: number;
  readonly key: string | null;
  readonly path: string;
  readonly value: JsonValue;
}

/** The entries of an array, or of an object read as a map in key order. */
export function entriesOf(container: readonly JsonValue[] | JsonObject, base: string): Entry[] {
  if (Array.isArray(container))
    return container.map((value, index) => ({ index, key: null, path: `${base}[${index}]`, value }));
  return Object.entries(container).map(([key, value], index) => ({ index, key, path: `${base}.${key}`, value }));
}

export function parseWorkflowGraph(input: unknown): Parsed<WorkflowGraphModel> {
  const shaped = toJsonValue(input);
  if (!shaped.ok) return { ok: false, reason: `graph is ${shaped.reason}` };
  const graph = shaped.value;
  if (!isJsonObject(graph)) {
    return { ok: false, reason: `graph must be an object with nodes, got ${kindOf(graph)}`, raw: graph };
  }
  const nodesEntry = pickKey(graph, NODES_KEYS);
  if (nodesEntry === null || !(Array.isArray(nodesEntry.value) || isJsonObject(nodesEntry.value))) {
    const got = nodesEntry === null ? 'no nodes' : `${nodesEntry.key} is ${kindOf(nodesEntry.value)}`;
    return { ok: false, reason: `graph must have nodes (an array, or a map keyed by node id), got ${got}`, raw: graph };
  }

  const warnings: WorkflowParseWarningModel[] = [];
  const skip = (part: WorkflowParseWarningModel['part'], entry: Entry, reason: string): void => {
    warnings.push({ part, index: entry.index, key: entry.key, path: entry.path, reason, skipped: true });
  };

  const nodes: WorkflowNodeModel[] = [];
  const derived: { edge: WorkflowEdgeModel }[] = [];
  const seen = new Set<string>();
  for (const entry of entriesOf(nodesEntry.value, nodesEntry.key)) {
    const node = parseNode(entry);
    if (typeof node === 'string') {
      skip('NODE', entry, node);
      continue;
    }
    if (seen.has(node.model.id)) {
      warnings.push({
        part: 'NODE',
        index: entry.index,
        key: entry.key,
        path: entry.path,
        reason: `repeats node id ${node.model.id}; kept`,
        skipped: false,
      });
    }
    seen.add(node.model.id);
    nodes.push(node.model);
    for (const next of node.next) {
      if (typeof next.edge === 'string') skip('EDGE', next.entry, next.edge);
      else derived.push({ edge: next.edge });
    }
  }

  const edges: WorkflowEdgeModel[] = [];
  const edgesEntry = pickKey(graph, EDGES_KEYS);
  if (edgesEntry !== null) {
    if (Array.isArray(edgesEntry.value)) {
      for (const entry of entriesOf(edgesEntry.value, edgesEntry.key)) {
        const edge = parseEdge(entry.value);
        if (typeof edge === 'string') skip('EDGE', entry, edge);
        else edges.push(edge);
      }
    } else {
      skip(
        'EDGE',
        { index: 0, key: null, path: edgesEntry.key, value: edgesEntry.value },
        `${edgesEntry.key} must be an array, got ${kindOf(edgesEntry.value)}`,
      );
    }
  }
  const pairs = new Set(edges.map((edge) => pairKey(edge)));
  for (const { edge } of derived) {
    if (pairs.has(pairKey(edge))) continue;
    pairs.add(pairKey(edge));
    edges.push(edge);
  }

  return { ok: true, value: { nodes, edges, skipped: warnings.filter((w) => w.skipped).length, warnings } };
}

function pairKey(edge: WorkflowEdgeModel): string {
  return JSON.stringify([edge.source, edge.target]);
}

interface ParsedNode {
  readonly model: WorkflowNodeModel;
  /** Edges this node names in `next`/`children`, or why one could not be read. */
  readonly next: readonly { readonly entry: Entry; readonly edge: WorkflowEdgeModel | string }[];
}

/** A node, or the reason it is not one. In a map the key is the id. */
function parseNode(entry: Entry): ParsedNode | string {
  const node = entry.value;
  if (!isJsonObject(node)) return `expected an object, got ${kindOf(node)}`;
  const used = new Set<string>();
  let id: string | null;
  if (entry.key !== null) {
    id = entry.key;
    // The node's own id key is modelled only when it agrees with the map key; otherwise it stays in properties.
    const own = pickAs(node, NODE_ID_KEYS, asId);
    if (own !== null && own.value === id) used.add(own.key);
    if (id.trim() === '') return 'the map key is blank';
  } else {
    id = read(node, NODE_ID_KEYS, asId, used);
    if (id === null) return `no id (looked for ${NODE_ID_KEYS.join('/')})`;
  }
  const next = nextEdges(id, node, entry.path, used);
  return {
    model: {
      id,
      type: read(node, NODE_TYPE_KEYS, asString, used),
      name: read(node, NODE_NAME_KEYS, asString, used),
      properties: rest(node, used),
    },
    next,
  };
}

/**
 * Edges given as a node's successor list. The key is modelled (left out of
 * properties) because every element becomes an edge or a warning.
 */
function nextEdges(source: string, node: JsonObject, path: string, used: Set<string>): ParsedNode['next'] {
  const found = pickKey(node, NEXT_KEYS);
  if (found === null) return [];
  const value = found.value;
  if (!(Array.isArray(value) || isJsonObject(value) || asId(value) !== null)) return [];
  used.add(found.key);
  const list: readonly JsonValue[] = Array.isArray(value) ? value : [value];
  return list.map((element, index) => {
    const entry: Entry = { index, key: null, path: `${path}.${found.key}[${index}]`, value: element };
    const plain = asId(element);
    if (plain !== null) return { entry, edge: { source, target: plain, properties: null } };
    if (!isJsonObject(element))
      return { entry, edge: `expected a node id or an object naming one, got ${kindOf(element)}` };
    const elementUsed = new Set<string>();
    const target = read(element, EDGE_TARGET_KEYS, asId, elementUsed) ?? read(element, NODE_ID_KEYS, asId, elementUsed);
    if (target === null)
      return { entry, edge: `no target (looked for ${[...EDGE_TARGET_KEYS, ...NODE_ID_KEYS].join('/')})` };
    return { entry, edge: { source, target, properties: rest(element, elementUsed) } };
  });
}

function parseEdge(entry: JsonValue): WorkflowEdgeModel | string {
  if (!isJsonObject(entry)) return `expected an object, got ${kindOf(entry)}`;
  const used = new Set<string>();
  const source = read(entry, EDGE_SOURCE_KEYS, asId, used);
  if (source === null) return `no source (looked for ${EDGE_SOURCE_KEYS.join('/')})`;
  const target = read(entry, EDGE_TARGET_KEYS, asId, used);
  if (target === null) return `no target (looked for ${EDGE_TARGET_KEYS.join('/')})`;
  return { source, target, properties: rest(entry, used) };
}

/** The first alias whose value converts; its key is recorded as modelled. */
function read<T>(
  entry: JsonObject,
  aliases: readonly string[],
  convert: (value: unknown) => T | null,
  used: Set<string>,
): T | null {
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
