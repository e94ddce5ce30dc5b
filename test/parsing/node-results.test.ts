import type { Parsed, WorkflowNodeResultModel, WorkflowNodeResultsModel } from '../../src/parsing/models.js';
import { nodeResultIndex, parseNodeResults } from '../../src/parsing/node-results.js';
import { parseWorkflowGraph } from '../../src/parsing/workflow-graph.js';
import { parseNodeResultsField } from '../../src/parsing/workflow-task.js';
import { ALIBABA_DOC_FIELD_EXAMPLES, ALIBABA_DOC_RESPONSE } from '../fixtures/doc-examples.js';

function values(parsed: Parsed<WorkflowNodeResultsModel> | null): readonly WorkflowNodeResultModel[] {
  if (parsed === null || !parsed.ok) throw new Error(`expected ok results, got ${JSON.stringify(parsed)}`);
  return parsed.value.results;
}

/** A whole read with nothing skipped. */
function clean(results: WorkflowNodeResultModel[]): Parsed<WorkflowNodeResultsModel> {
  return { ok: true, value: { results, skipped: 0, warnings: [] } };
}

describe('parseNodeResults', () => {
  describe('an object keyed by node id', () => {
    it('reads status, output and error, keeping the entry as raw', () => {
      const entry = { status: 'succeeded', output: { text: 'hola' }, elapsedMs: 12 };
      expect(parseNodeResults({ llm_1: entry })).toEqual(
        clean([{ nodeId: 'llm_1', status: 'succeeded', output: { text: 'hola' }, error: null, raw: entry }]),
      );
    });

    it('uses a non-object value as the output', () => {
      expect(values(parseNodeResults({ a: 'text', b: 3, c: [1, 2], d: null, e: false }))).toEqual([
        { nodeId: 'a', status: null, output: 'text', error: null, raw: 'text' },
        { nodeId: 'b', status: null, output: 3, error: null, raw: 3 },
        { nodeId: 'c', status: null, output: [1, 2], error: null, raw: [1, 2] },
        { nodeId: 'd', status: null, output: null, error: null, raw: null },
        { nodeId: 'e', status: null, output: false, error: null, raw: false },
      ]);
    });

    it('gives an object entry without an output key a null output', () => {
      expect(values(parseNodeResults({ a: { status: 'running' } }))).toEqual([
        { nodeId: 'a', status: 'running', output: null, error: null, raw: { status: 'running' } },
      ]);
    });

    it('accepts an empty object', () => {
      expect(parseNodeResults({})).toEqual(clean([]));
    });
  });

  describe('an array of entries', () => {
    it.each(['nodeId', 'NodeId', 'id', 'node_id'])('reads the node id from %s', (key) => {
      const entry = { [key]: 'asr_1', Status: 'Succeeded' };
      expect(parseNodeResults([entry])).toEqual(
        clean([{ nodeId: 'asr_1', status: 'Succeeded', output: null, error: null, raw: entry }]),
      );
    });

    it('prefers nodeId over id (id may name the result itself) and stringifies numbers', () => {
      expect(values(parseNodeResults([{ id: 'r-1', nodeId: 'n-1' }, { NodeId: 5 }])).map((r) => r.nodeId)).toEqual([
        'n-1',
        '5',
      ]);
    });

    it('skips an entry without a node id or that is not an object, naming it, and keeps the others', () => {
      const parsed = parseNodeResults([{ nodeId: 'a' }, { status: 'x' }, 'b', { nodeId: 'c' }]);
      expect(values(parsed).map((r) => r.nodeId)).toEqual(['a', 'c']);
      expect(parsed).toMatchObject({
        value: {
          skipped: 2,
          warnings: [
            {
              part: 'NODE_RESULT',
              index: 1,
              key: null,
              path: '[1]',
              reason: expect.stringContaining('no node id'),
              skipped: true,
            },
            {
              part: 'NODE_RESULT',
              index: 2,
              key: null,
              path: '[2]',
              reason: 'expected an object, got a string',
              skipped: true,
            },
          ],
        },
      });
    });

    it('accepts an empty array', () => {
      expect(parseNodeResults([])).toEqual(clean([]));
    });
  });

  describe('a wrapper object around the array', () => {
    it.each(['nodes', 'Nodes', 'results', 'NodeResults', 'items', 'data'])('unwraps {%s: [...]}', (key) => {
      const parsed = parseNodeResults({ [key]: [{ nodeId: 'a', status: 'succeeded' }, { status: 'orphan' }] });
      expect(values(parsed).map((r) => r.nodeId)).toEqual(['a']);
      expect(parsed).toMatchObject({ value: { skipped: 1, warnings: [{ path: `${key}[1]` }] } });
    });

    it('reads a node that happens to be called nodes as a node, not as a wrapper', () => {
      expect(values(parseNodeResults({ nodes: { status: 'succeeded' } }))).toEqual([
        { nodeId: 'nodes', status: 'succeeded', output: null, error: null, raw: { status: 'succeeded' } },
      ]);
      expect(values(parseNodeResults({ nodes: ['x', 'y'] }))).toEqual([
        { nodeId: 'nodes', status: null, output: ['x', 'y'], error: null, raw: ['x', 'y'] },
      ]);
    });

    it('does not unwrap when the wrapper key has neighbours (a node map with a node called results)', () => {
      expect(values(parseNodeResults({ results: [{ nodeId: 'a' }], llm: 'text' })).map((r) => r.nodeId)).toEqual([
        'results',
        'llm',
      ]);
    });
  });

  describe('key spellings', () => {
    it.each([
      [{ status: 's' }, 's'],
      [{ Status: 's' }, 's'],
      [{ state: 's' }, 's'],
      [{ status: null, State: 's' }, 's'],
      [{ status: 200 }, '200'],
      [{ status: { code: 1 } }, null],
    ])('status from %p', (entry, status) => {
      expect(values(parseNodeResults({ n: entry }))[0]?.status).toBe(status);
    });

    it.each([
      [{ output: 'o' }],
      [{ Output: 'o' }],
      [{ outputs: 'o' }],
      [{ result: 'o' }],
      [{ output: null, Result: 'o' }],
    ])('output from %p', (entry) => {
      expect(values(parseNodeResults({ n: entry }))[0]?.output).toBe('o');
    });

    it('keeps a falsy output', () => {
      expect(values(parseNodeResults({ n: { output: 0 } }))[0]?.output).toBe(0);
      expect(values(parseNodeResults({ n: { output: '' } }))[0]?.output).toBe('');
    });

    it.each([
      [{ error: 'e' }, 'e'],
      [{ Error: 'e' }, 'e'],
      [{ errorMessage: 'e' }, 'e'],
      [{ message: 'e' }, 'e'],
      [{ error: null, message: 'e' }, 'e'],
      [{ error: { code: 'Timeout', detail: 'asr' } }, '{"code":"Timeout","detail":"asr"}'],
      [{ error: 42 }, '42'],
      [{ error: false }, 'false'],
    ])('error from %p', (entry, error) => {
      expect(values(parseNodeResults({ n: entry }))[0]?.error).toBe(error);
    });
  });

  it.each([
    ['a string', 'done', 'got a string'],
    ['a number', 3, 'got a number'],
    ['null', null, 'got null'],
  ])('fails for %s', (_label, value, reason) => {
    expect(parseNodeResults(value)).toMatchObject({ ok: false, reason: expect.stringContaining(reason), raw: value });
  });
});

describe('parseNodeResultsField', () => {
  const results = { asr_1: { status: 'succeeded', output: 'hello' } };
  const text = JSON.stringify(results);

  it.each([
    ['an object', results],
    ['JSON text', text],
    ['double-encoded text', JSON.stringify(text)],
    ['backslash-escaped text', JSON.stringify(text).slice(1, -1)],
  ])('reads %s', (_label, field) => {
    expect(values(parseNodeResultsField(field))).toEqual([
      {
        nodeId: 'asr_1',
        status: 'succeeded',
        output: 'hello',
        error: null,
        raw: { status: 'succeeded', output: 'hello' },
      },
    ]);
  });

  it('is null when absent, null or blank', () => {
    expect(parseNodeResultsField(undefined)).toBeNull();
    expect(parseNodeResultsField(null)).toBeNull();
    expect(parseNodeResultsField('')).toBeNull();
  });

  it('fails the doc example placeholder "{...}", keeping the text', () => {
    const task = (JSON.parse(ALIBABA_DOC_RESPONSE) as { WorkflowTask: { NodeResults: string } }).WorkflowTask;
    expect(task.NodeResults).toBe(ALIBABA_DOC_FIELD_EXAMPLES.nodeResults);
    expect(parseNodeResultsField(task.NodeResults)).toEqual({
      ok: false,
      reason: expect.stringContaining('not valid JSON'),
      raw: '{...}',
    });
  });
});

describe('nodeResultIndex', () => {
  const parsed = parseNodeResults([
    { nodeId: 'a', output: 1 },
    { nodeId: 'b', output: 2 },
    { nodeId: 'a', output: 3 },
  ]);

  it('indexes by node id, first entry winning on repeats', () => {
    const index = nodeResultIndex(parsed);
    expect([...index.keys()]).toEqual(['a', 'b']);
    expect(index.get('a')?.output).toBe(1);
  });

  it('accepts the plain list too', () => {
    expect(nodeResultIndex(values(parsed)).get('b')?.output).toBe(2);
  });

  it('is empty for null, undefined and failed results', () => {
    expect(nodeResultIndex(null).size).toBe(0);
    expect(nodeResultIndex(undefined).size).toBe(0);
    expect(nodeResultIndex({ ok: false, reason: 'x' }).size).toBe(0);
  });

  it('joins results onto graph nodes, numeric graph ids included', () => {
    const graph = parseWorkflowGraph({ nodes: [{ id: 1 }, { id: 'llm' }, { id: 'end' }] });
    const index = nodeResultIndex(parseNodeResults({ 1: 'started', llm: { status: 'succeeded', output: 'hola' } }));
    if (!graph.ok) throw new Error(graph.reason);
    expect(graph.value.nodes.map((node) => index.get(node.id)?.output ?? null)).toEqual(['started', 'hola', null]);
  });
});
