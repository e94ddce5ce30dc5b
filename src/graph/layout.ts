/**
 * Node positions, sizes and edge routes for a workflow graph, computed with dagre (layered
 * layout), so a dashboard can draw it with plain boxes and polylines. Pure and deterministic.
 * Run only when a client selects `WorkflowGraph.layout`; see docs/architecture.md.
 */
import dagre from '@dagrejs/dagre';
import { drawnNodes, type NodeState, type PictureGraph } from './picture.js';

export type LayoutDirection = 'LR' | 'TB';

export interface LayoutNode {
  readonly id: string;
  /** Top-left corner, in the layout's units (think CSS pixels). */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly label: string;
  readonly state: NodeState;
}

export interface LayoutEdge {
  readonly source: string;
  readonly target: string;
  /** The route from source to target, both ends included. */
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface WorkflowLayoutModel {
  readonly direction: LayoutDirection;
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly LayoutNode[];
  readonly edges: readonly LayoutEdge[];
}

/** Beyond this, layout is refused (null): dagre's cost grows faster than linearly, and no dashboard draws such a graph. */
export const MAX_LAYOUT_ELEMENTS = 2000;

const NODE_HEIGHT = 48;
const MIN_WIDTH = 120;
const MAX_WIDTH = 320;
/** A box wide enough for its label in a ~14px sans-serif font, within bounds. */
function widthFor(label: string): number {
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.ceil([...label].length * 8 + 32)));
}

const round = (n: number): number => Math.round(n * 100) / 100;

export function layoutWorkflowGraph(graph: PictureGraph, direction: LayoutDirection): WorkflowLayoutModel | null {
  const nodes = drawnNodes(graph);
  if (nodes.length + graph.edges.length > MAX_LAYOUT_ELEMENTS) return null;

  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: direction, nodesep: 40, ranksep: 60, edgesep: 20, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { width: widthFor(node.label), height: NODE_HEIGHT });
  // Parallel edges are kept apart by name, so each provider edge gets its own route.
  graph.edges.forEach((edge, index) => g.setEdge(edge.source, edge.target, {}, `e${index}`));
  dagre.layout(g);

  const label = g.graph();
  return {
    direction,
    width: round(Number(label.width ?? 0)),
    height: round(Number(label.height ?? 0)),
    nodes: nodes.map((node) => {
      const box = g.node(node.id) as { x: number; y: number; width: number; height: number };
      // dagre gives centres; drawing code wants the top-left corner.
      return {
        id: node.id,
        x: round(box.x - box.width / 2),
        y: round(box.y - box.height / 2),
        width: box.width,
        height: box.height,
        label: node.label,
        state: node.state,
      };
    }),
    edges: graph.edges.map((edge, index) => {
      const route = g.edge({ v: edge.source, w: edge.target, name: `e${index}` }) as {
        points?: { x: number; y: number }[];
      };
      return {
        source: edge.source,
        target: edge.target,
        points: (route.points ?? []).map((p) => ({ x: round(p.x), y: round(p.y) })),
      };
    }),
  };
}
