import { parseWorkflowGraph } from '../../src/parsing/workflow-graph.js';
import { parseGraphField } from '../../src/parsing/workflow-task.js';
import { ALIBABA_DOC_FIELD_EXAMPLES, ALIBABA_DOC_RESPONSE } from '../fixtures/doc-examples.js';

/** A live translation template as the console describes it: Start -> ASR -> LLM -> End. */
const GRAPH = {
  nodes: [
    { id: 'start', type: 'Start', name: 'Start', inputs: { live_url: { Url: 'rtmp://x' } } },
    { id: 'asr_1', type: 'ASR', name: 'Speech recognition' },
    { id: 'llm_1', type: 'LLM', name: 'Translate', model: 'qwen', position: { x: 1, y: 2 } },
    { id: 'end', type: 'End', name: 'End' },
  ],
  edges: [
    { source: 'start', target: 'asr_1' },
    { source: 'asr_1', target: 'llm_1', id: 'e2' },
    { source: 'llm_1', target: 'end' },
  ],
};

const EXPECTED = {
  skipped: 0,
  warnings: [],
  nodes: [
    { id: 'start', type: 'Start', name: 'Start', properties: { inputs: { live_url: { Url: 'rtmp://x' } } } },
    { id: 'asr_1', type: 'ASR', name: 'Speech recognition', properties: null },
    { id: 'llm_1', type: 'LLM', name: 'Translate', properties: { model: 'qwen', position: { x: 1, y: 2 } } },
    { id: 'end', type: 'End', name: 'End', properties: null },
  ],
  edges: [
    { source: 'start', target: 'asr_1', properties: null },
    { source: 'asr_1', target: 'llm_1', properties: { id: 'e2' } },
    { source: 'llm_1', target: 'end', properties: null },
  ],
};

describe('parseWorkflowGraph', () => {
  it('reads nodes and edges, keeping unmodelled keys in properties', () => {
    expect(parseWorkflowGraph(GRAPH)).toEqual({ ok: true, value: EXPECTED });
  });

  describe('through parseGraphField, all three encodings give the same graph', () => {
    const text = JSON.stringify(GRAPH);
    it.each([
      ['an object', GRAPH],
      ['JSON text', text],
      ['double-encoded text', JSON.stringify(text)],
      ['backslash-escaped text', JSON.stringify(text).slice(1, -1)],
    ])('%s', (_label, graph) => {
      expect(parseGraphField(graph)).toEqual({ ok: true, value: EXPECTED });
    });
  });

  describe('key spellings', () => {
    it.each([
      [{ id: 'a' }, 'a'],
      [{ Id: 'a' }, 'a'],
      [{ nodeId: 'a' }, 'a'],
      [{ NodeId: 'a' }, 'a'],
      [{ key: 'a' }, 'a'],
      [{ id: 7 }, '7'],
      [{ id: 0 }, '0'],
    ])('node id from %p', (node, id) => {
      const result = parseWorkflowGraph({ nodes: [node] });
      expect(result).toEqual({
        ok: true,
        value: { nodes: [{ id, type: null, name: null, properties: null }], edges: [], skipped: 0, warnings: [] },
      });
    });

    it.each([[{ id: 'a', type: 'LLM' }], [{ id: 'a', Type: 'LLM' }], [{ id: 'a', nodeType: 'LLM' }]])(
      'node type from %p',
      (node) => {
        expect(parseWorkflowGraph({ nodes: [node] })).toMatchObject({
          ok: true,
          value: { nodes: [{ type: 'LLM', properties: null }] },
        });
      },
    );

    it.each([[{ id: 'a', name: 'N' }], [{ id: 'a', Name: 'N' }], [{ id: 'a', label: 'N' }], [{ id: 'a', title: 'N' }]])(
      'node name from %p',
      (node) => {
        expect(parseWorkflowGraph({ nodes: [node] })).toMatchObject({
          ok: true,
          value: { nodes: [{ name: 'N', properties: null }] },
        });
      },
    );

    it.each([
      [{ source: 'a', target: 'b' }],
      [{ Source: 'a', Target: 'b' }],
      [{ from: 'a', to: 'b' }],
      [{ From: 'a', To: 'b' }],
      [{ sourceNodeId: 'a', targetNodeId: 'b' }],
    ])('edge ends from %p', (edge) => {
      expect(parseWorkflowGraph({ nodes: [], edges: [edge] })).toEqual({
        ok: true,
        value: { nodes: [], edges: [{ source: 'a', target: 'b', properties: null }], skipped: 0, warnings: [] },
      });
    });

    it('stringifies numeric edge ends so they meet numeric node ids', () => {
      expect(parseWorkflowGraph({ nodes: [{ id: 1 }, { id: 2 }], edges: [{ source: 1, target: 2 }] })).toMatchObject({
        ok: true,
        value: { nodes: [{ id: '1' }, { id: '2' }], edges: [{ source: '1', target: '2' }] },
      });
    });

    it('accepts Nodes/Edges', () => {
      expect(parseWorkflowGraph({ Nodes: [{ Id: 'a' }], Edges: [{ Source: 'a', Target: 'a' }] })).toMatchObject({
        ok: true,
        value: { nodes: [{ id: 'a' }], edges: [{ source: 'a', target: 'a' }] },
      });
    });

    it('keeps unused aliases and unusable values in properties', () => {
      const result = parseWorkflowGraph({
        nodes: [{ id: 'a', nodeId: 'other', type: { kind: 'LLM' }, Type: 'LLM', name: null, label: 'L' }],
        edges: [{ source: 'a', from: 'z', target: 'b' }],
      });
      expect(result).toEqual({
        ok: true,
        value: {
          nodes: [
            { id: 'a', type: 'LLM', name: 'L', properties: { nodeId: 'other', type: { kind: 'LLM' }, name: null } },
          ],
          edges: [{ source: 'a', target: 'b', properties: { from: 'z' } }],
          skipped: 0,
          warnings: [],
        },
      });
    });

    it('takes the id from a later alias when an earlier one is unusable', () => {
      expect(parseWorkflowGraph({ nodes: [{ id: '  ', nodeId: 'n' }] })).toMatchObject({
        ok: true,
        value: { nodes: [{ id: 'n', properties: { id: '  ' } }] },
      });
    });
  });

  describe('shape decisions', () => {
    it('treats missing or null edges as no edges', () => {
      expect(parseWorkflowGraph({ nodes: [{ id: 'a' }] })).toMatchObject({ ok: true, value: { edges: [] } });
      expect(parseWorkflowGraph({ nodes: [{ id: 'a' }], edges: null })).toMatchObject({
        ok: true,
        value: { edges: [] },
      });
    });

    it('accepts an empty graph', () => {
      expect(parseWorkflowGraph({ nodes: [], edges: [] })).toEqual({
        ok: true,
        value: { nodes: [], edges: [], skipped: 0, warnings: [] },
      });
    });

    it('ignores extra top-level keys', () => {
      expect(parseWorkflowGraph({ nodes: [], version: 2 })).toEqual({
        ok: true,
        value: { nodes: [], edges: [], skipped: 0, warnings: [] },
      });
    });

    it('does not check that edges point at known nodes', () => {
      expect(parseWorkflowGraph({ nodes: [], edges: [{ source: 'x', target: 'y' }] })).toMatchObject({ ok: true });
    });
  });

  describe('per node and per edge: what cannot be read is skipped, and the skip is visible', () => {
    it.each([
      ['a node without id', { nodes: [{ id: 'a' }, { type: 'LLM' }, { id: 'b' }] }, 'NODE', 1, 'nodes[1]', 'no id'],
      [
        'a node that is not an object',
        { nodes: ['a', { id: 'b' }] },
        'NODE',
        0,
        'nodes[0]',
        'expected an object, got a string',
      ],
      ['an edge without source', { nodes: [], edges: [{ target: 'b' }] }, 'EDGE', 0, 'edges[0]', 'no source'],
      [
        'an edge without target',
        {
          nodes: [],
          edges: [
            { source: 'a', target: 'b' },
            { source: 'a', target: '' },
          ],
        },
        'EDGE',
        1,
        'edges[1]',
        'no target',
      ],
      ['non-array edges', { nodes: [], edges: 'a->b' }, 'EDGE', 0, 'edges', 'edges must be an array, got a string'],
      ['a blank map key', { nodes: { ' ': {}, b: {} } }, 'NODE', 0, 'nodes. ', 'the map key is blank'],
      [
        'an unreadable next entry',
        { nodes: [{ id: 'a', next: ['b', { label: 'x' }] }, { id: 'b' }] },
        'EDGE',
        1,
        'nodes[0].next[1]',
        'no target',
      ],
    ])('%s', (_label, graph, part, index, path, reason) => {
      const result = parseWorkflowGraph(graph);
      if (!result.ok) throw new Error(result.reason);
      expect(result.value.skipped).toBe(1);
      expect(result.value.warnings).toEqual([
        {
          part,
          index,
          key: path === 'nodes. ' ? ' ' : null,
          path,
          reason: expect.stringContaining(reason),
          skipped: true,
        },
      ]);
    });

    it('keeps every readable node and edge around the odd ones', () => {
      const result = parseWorkflowGraph({
        nodes: [{ id: 'a' }, { type: 'Note' }, { id: 'b' }, 7, { id: 'c' }],
        edges: [{ source: 'a', target: 'b' }, { label: 'x' }, { source: 'b', target: 'c' }],
      });
      expect(result).toMatchObject({
        ok: true,
        value: {
          nodes: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
          edges: [{ source: 'a' }, { source: 'b' }],
          skipped: 3,
        },
      });
    });

    it('keeps a repeated node id, with a warning that is not a skip', () => {
      const result = parseWorkflowGraph({ nodes: [{ id: 'a' }, { id: 'a', name: 'again' }] });
      expect(result).toMatchObject({
        ok: true,
        value: {
          nodes: [{ id: 'a' }, { id: 'a', name: 'again' }],
          skipped: 0,
          warnings: [{ part: 'NODE', index: 1, path: 'nodes[1]', skipped: false }],
        },
      });
    });
  });

  describe('other shapes', () => {
    it('reads a node map keyed by id, the key as the id', () => {
      const result = parseWorkflowGraph({
        nodes: { start: { type: 'Start' }, llm: { id: 'llm', name: 'LLM' }, end: { id: 'other' } },
        edges: [],
      });
      expect(result).toEqual({
        ok: true,
        value: {
          nodes: [
            { id: 'start', type: 'Start', name: null, properties: null },
            { id: 'llm', type: null, name: 'LLM', properties: null },
            { id: 'end', type: null, name: null, properties: { id: 'other' } },
          ],
          edges: [],
          skipped: 0,
          warnings: [],
        },
      });
    });

    it('reads next/children lists on nodes as edges, after the explicit ones and without repeating them', () => {
      const result = parseWorkflowGraph({
        nodes: [
          { id: 'a', next: ['b', 'c'] },
          { id: 'b', children: [{ id: 'd', label: 'yes' }] },
          { id: 'c', Next: 'd' },
          { id: 'd', next: [] },
        ],
        edges: [{ source: 'a', target: 'b' }],
      });
      expect(result).toEqual({
        ok: true,
        value: {
          nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, type: null, name: null, properties: null })),
          edges: [
            { source: 'a', target: 'b', properties: null },
            { source: 'a', target: 'c', properties: null },
            { source: 'b', target: 'd', properties: { label: 'yes' } },
            { source: 'c', target: 'd', properties: null },
          ],
          skipped: 0,
          warnings: [],
        },
      });
    });
  });

  describe('graphs that cannot be typed at all', () => {
    it.each([
      ['missing nodes', { edges: [] }, 'graph must have nodes (an array, or a map keyed by node id), got no nodes'],
      ['null nodes', { nodes: null }, 'got no nodes'],
      ['string nodes', { nodes: 'a,b' }, 'got nodes is a string'],
      ['an array', [], 'graph must be an object with nodes, got an array'],
      ['a number', 3, 'graph must be an object with nodes, got a number'],
    ])('%s', (_label, graph, reason) => {
      const result = parseWorkflowGraph(graph);
      expect(result.ok).toBe(false);
      expect(result).toMatchObject({ reason: expect.stringContaining(reason), raw: graph });
    });

    it('refuses values that are not JSON', () => {
      expect(parseWorkflowGraph({ nodes: [() => 1] })).toMatchObject({
        ok: false,
        reason: expect.stringContaining('not JSON-shaped'),
      });
    });
  });
});

describe('parseGraphField', () => {
  it('is null when there is no graph', () => {
    expect(parseGraphField(undefined)).toBeNull();
    expect(parseGraphField(null)).toBeNull();
    expect(parseGraphField('')).toBeNull();
    expect(parseGraphField('  \n')).toBeNull();
  });

  it('fails the doc example placeholder, which is not JSON, keeping the text', () => {
    const task = (JSON.parse(ALIBABA_DOC_RESPONSE) as { WorkflowTask: { Workflow: { Graph: string } } }).WorkflowTask;
    expect(task.Workflow.Graph).toBe('{\n"nodes":[...],\n"edges":[...]\n}');
    expect(parseGraphField(task.Workflow.Graph)).toEqual({
      ok: false,
      reason: expect.stringContaining('not valid JSON'),
      raw: task.Workflow.Graph,
    });
    expect(parseGraphField(ALIBABA_DOC_FIELD_EXAMPLES.graph)).toMatchObject({
      ok: false,
      raw: ALIBABA_DOC_FIELD_EXAMPLES.graph,
    });
  });

  it('fails JSON of the wrong shape, keeping the decoded value', () => {
    expect(parseGraphField('{"nodes":"none"}')).toEqual({
      ok: false,
      reason: 'graph must have nodes (an array, or a map keyed by node id), got nodes is a string',
      raw: { nodes: 'none' },
    });
    expect(parseGraphField('42')).toMatchObject({ ok: false, raw: '42' });
  });
});
