import { layoutWorkflowGraph, MAX_LAYOUT_ELEMENTS } from '../../src/graph/layout.js';
import type { PictureGraph, PictureNode } from '../../src/graph/picture.js';

const node = (id: string, status: string | null = null): PictureNode => ({
  id,
  type: null,
  name: null,
  result: status === null ? null : { status },
});

const CHAIN: PictureGraph = {
  nodes: [node('start', 'succeeded'), node('asr', 'succeeded'), node('llm', 'failed'), node('end')],
  edges: [
    { source: 'start', target: 'asr' },
    { source: 'asr', target: 'llm' },
    { source: 'llm', target: 'end' },
    { source: 'llm', target: 'end' },
  ],
};

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layoutWorkflowGraph (dagre)', () => {
  it('lays a chain out left to right: boxes in order, inside the drawing, not overlapping', () => {
    const layout = layoutWorkflowGraph(CHAIN, 'LR');
    if (layout === null) throw new Error('no layout');
    expect(layout.direction).toBe('LR');
    expect(layout.nodes.map((n) => [n.id, n.state])).toEqual([
      ['start', 'SUCCEEDED'],
      ['asr', 'SUCCEEDED'],
      ['llm', 'FAILED'],
      ['end', 'NO_RESULT'],
    ]);
    const xs = layout.nodes.map((n) => n.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    for (const box of layout.nodes) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(layout.width);
      expect(box.y + box.height).toBeLessThanOrEqual(layout.height);
    }
    for (const [i, a] of layout.nodes.entries())
      for (const b of layout.nodes.slice(i + 1)) expect(overlap(a, b)).toBe(false);
  });

  it('routes every edge, parallel ones separately, from the source box to the target box', () => {
    const layout = layoutWorkflowGraph(CHAIN, 'LR');
    if (layout === null) throw new Error('no layout');
    expect(layout.edges.map((e) => [e.source, e.target])).toEqual(CHAIN.edges.map((e) => [e.source, e.target]));
    const boxes = new Map(layout.nodes.map((n) => [n.id, n]));
    const near = (p: { x: number; y: number }, b: Box): boolean =>
      p.x >= b.x - 1 && p.x <= b.x + b.width + 1 && p.y >= b.y - 1 && p.y <= b.y + b.height + 1;
    for (const edge of layout.edges) {
      expect(edge.points.length).toBeGreaterThanOrEqual(2);
      expect(near(edge.points[0] as { x: number; y: number }, boxes.get(edge.source) as Box)).toBe(true);
      expect(near(edge.points.at(-1) as { x: number; y: number }, boxes.get(edge.target) as Box)).toBe(true);
    }
  });

  it('lays top to bottom when asked, and is deterministic', () => {
    const tb = layoutWorkflowGraph(CHAIN, 'TB');
    const ys = tb?.nodes.map((n) => n.y) ?? [];
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    expect(layoutWorkflowGraph(CHAIN, 'TB')).toEqual(tb);
  });

  it('draws dangling edge ends as MISSING boxes, cycles and self-loops included', () => {
    const layout = layoutWorkflowGraph(
      {
        nodes: [node('a'), node('b')],
        edges: [
          { source: 'a', target: 'b' },
          { source: 'b', target: 'a' },
          { source: 'a', target: 'a' },
          { source: 'b', target: 'ghost' },
        ],
      },
      'LR',
    );
    expect(layout?.nodes.map((n) => [n.id, n.state])).toEqual([
      ['a', 'NO_RESULT'],
      ['b', 'NO_RESULT'],
      ['ghost', 'MISSING'],
    ]);
    expect(layout?.edges).toHaveLength(4);
  });

  it('gives an empty graph an empty drawing and refuses huge graphs', () => {
    expect(layoutWorkflowGraph({ nodes: [], edges: [] }, 'LR')).toMatchObject({ nodes: [], edges: [] });
    const many = Array.from({ length: MAX_LAYOUT_ELEMENTS + 1 }, (_v, i) => node(`n${i}`));
    expect(layoutWorkflowGraph({ nodes: many, edges: [] }, 'LR')).toBeNull();
  });
});
