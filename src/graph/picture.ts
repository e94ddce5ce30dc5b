/**
 * What the graph pictures (Mermaid text, layout) need from a workflow graph, and
 * the parts they share: one drawn node per distinct id, edge ends that name no
 * node drawn as "missing" nodes (a dangling edge is the provider's data, and a
 * picture that dropped it would hide the problem), and a result state per node.
 */

export interface PictureNode {
  readonly id: string;
  readonly type: string | null;
  readonly name: string | null;
  readonly result: { readonly status: string | null } | null;
}

export interface PictureGraph {
  readonly nodes: readonly PictureNode[];
  readonly edges: readonly { readonly source: string; readonly target: string }[];
}

/** How a node's result is drawn; provider status words vary, so they are grouped. */
/** Values are the GraphQL enum WorkflowNodeState's. */
export type NodeState =
  'SUCCEEDED' | 'FAILED' | 'RUNNING' | 'STOPPED' | 'PENDING' | 'UNKNOWN' | 'NO_RESULT' | 'MISSING';

const STATE_WORDS: Readonly<Record<string, NodeState>> = {
  succeeded: 'SUCCEEDED',
  success: 'SUCCEEDED',
  successful: 'SUCCEEDED',
  completed: 'SUCCEEDED',
  finished: 'SUCCEEDED',
  done: 'SUCCEEDED',
  ok: 'SUCCEEDED',
  failed: 'FAILED',
  fail: 'FAILED',
  failure: 'FAILED',
  error: 'FAILED',
  running: 'RUNNING',
  processing: 'RUNNING',
  'in-progress': 'RUNNING',
  started: 'RUNNING',
  stopped: 'STOPPED',
  cancelled: 'STOPPED',
  canceled: 'STOPPED',
  aborted: 'STOPPED',
  pending: 'PENDING',
  waiting: 'PENDING',
  queued: 'PENDING',
};

export function nodeState(node: PictureNode | null): NodeState {
  if (node === null) return 'MISSING';
  if (node.result === null) return 'NO_RESULT';
  const word = (node.result.status ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  return Object.prototype.hasOwnProperty.call(STATE_WORDS, word) ? (STATE_WORDS[word] ?? 'UNKNOWN') : 'UNKNOWN';
}

export interface DrawnNode {
  /** The provider's node id. */
  readonly id: string;
  /** The first node with this id; null for an edge end that names no node. */
  readonly node: PictureNode | null;
  readonly state: NodeState;
  readonly label: string;
}

/** Distinct nodes in the provider's order, then edge ends that name no node, in edge order. */
export function drawnNodes(graph: PictureGraph): DrawnNode[] {
  const drawn = new Map<string, DrawnNode>();
  for (const node of graph.nodes) {
    if (!drawn.has(node.id)) drawn.set(node.id, { id: node.id, node, state: nodeState(node), label: labelOf(node) });
  }
  for (const edge of graph.edges) {
    for (const id of [edge.source, edge.target]) {
      if (!drawn.has(id)) drawn.set(id, { id, node: null, state: 'MISSING', label: id });
    }
  }
  return [...drawn.values()];
}

/** The name, else the id; the type beside it when there is one and it says something new. */
function labelOf(node: PictureNode): string {
  const title = node.name ?? node.id;
  return node.type !== null && node.type !== title ? `${title} (${node.type})` : title;
}
