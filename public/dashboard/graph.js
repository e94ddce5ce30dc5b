// Draws WorkflowGraph.layout as SVG: the server lays the graph out (dagre), so the page
// only places boxes and polylines where it says. No layout engine and no library here.
// Every text goes in through textContent, never markup: labels are provider data.

const SVG = 'http://www.w3.org/2000/svg';

/** A symbol per state beside the colour, so state never rests on colour alone. */
export const NODE_STATE_MARKS = {
  SUCCEEDED: '✔',
  FAILED: '✖',
  RUNNING: '▶',
  STOPPED: '■',
  PENDING: '…',
  UNKNOWN: '?',
  NO_RESULT: '○',
  MISSING: '!',
};

function svg(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

/**
 * @param {{ width: number, height: number, nodes: Array<{id: string, x: number, y: number, width: number, height: number, label: string, state: string}>,
 *           edges: Array<{source: string, target: string, points: Array<{x: number, y: number}>}> }} layout
 * @param {string} title accessible name of the drawing
 */
export function drawLayout(layout, title) {
  const root = svg('svg', {
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    width: Math.ceil(layout.width),
    height: Math.ceil(layout.height),
    role: 'img',
    class: 'workflow-graph',
  });
  const titleElement = svg('title');
  titleElement.textContent = title;
  root.append(titleElement);

  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }));
  defs.append(marker);
  root.append(defs);

  const edges = svg('g', { class: 'edges' });
  for (const edge of layout.edges) {
    const line = svg('polyline', {
      points: edge.points.map((point) => `${point.x},${point.y}`).join(' '),
      class: 'edge',
      'marker-end': 'url(#arrow)',
      'data-source': edge.source,
      'data-target': edge.target,
    });
    edges.append(line);
  }
  root.append(edges);

  const nodes = svg('g', { class: 'nodes' });
  for (const node of layout.nodes) {
    const state = String(node.state);
    const group = svg('g', { class: `node node-${state.toLowerCase()}`, 'data-node-id': node.id, 'data-state': state });
    const label = svg('title');
    label.textContent = `${node.label}: ${state}`;
    group.append(label);
    group.append(svg('rect', { x: node.x, y: node.y, width: node.width, height: node.height, rx: 6, ry: 6 }));
    const text = svg('text', { x: node.x + node.width / 2, y: node.y + node.height / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central', class: 'node-label' });
    text.textContent = node.label;
    group.append(text);
    const mark = svg('text', { x: node.x + node.width - 3, y: node.y + 3, 'text-anchor': 'end', 'dominant-baseline': 'hanging', class: 'node-mark', 'aria-hidden': 'true' });
    mark.textContent = NODE_STATE_MARKS[state] ?? '?';
    group.append(mark);
    nodes.append(group);
  }
  root.append(nodes);
  return root;
}
