/**
 * The Mermaid text is checked against the grammar of the flowchart subset it uses,
 * not by Mermaid itself: `mermaid.parse` (11.12) needs a DOM under Node (it fails
 * with "DOMPurify.addHook is not a function"), and a jsdom-sized test dependency
 * was not worth it (docs/development.md, "Tests"). `checkFlowchart` below is
 * that subset, after https://mermaid.js.org/syntax/flowchart.html: a header,
 * quoted node declarations, `-->` edges between declared nodes, `classDef` and
 * `class` lines; labels may hold only safe characters, entity codes and `<br/>`.
 */
import fc from 'fast-check';
import { escapeMermaidLabel, toMermaid } from '../../src/graph/mermaid.js';
import type { PictureGraph, PictureNode } from '../../src/graph/picture.js';

const SAFE_LABEL = /^(?:[A-Za-z0-9 _.,:()/+=*!?@-]|#\d+;|<br\/>)*$/;

/** Parses our flowchart subset; returns the decoded label of each node id, or throws naming the bad line. */
function checkFlowchart(text: string): Map<string, string> {
  expect(text.endsWith('\n')).toBe(true);
  const [header, ...lines] = text.slice(0, -1).split('\n');
  expect(header).toBe('flowchart LR');
  const labels = new Map<string, string>();
  const classes = new Set<string>();
  for (const line of lines) {
    const fail = (why: string): never => {
      throw new Error(`${why}: ${JSON.stringify(line)}`);
    };
    if (!line.startsWith('    ')) fail('not indented');
    const body = line.slice(4);
    let m: RegExpExecArray | null;
    if ((m = /^(n\d+)\["([^"]*)"\]$/.exec(body))) {
      const [, id, label] = m as unknown as [string, string, string];
      if (!SAFE_LABEL.test(label)) fail('unsafe label');
      if (labels.has(id)) fail('node declared twice');
      labels.set(id, decode(label));
    } else if ((m = /^(n\d+) --> (n\d+)$/.exec(body))) {
      if (!labels.has(m[1] as string) || !labels.has(m[2] as string)) fail('edge to an undeclared node');
    } else if (
      (m = /^classDef ([a-z_]+) ([a-z-]+:[^,\s]+(?: [^,\s]+)?(?:,[a-z-]+:[^,\s]+(?: [^,\s]+)?)*)$/.exec(body))
    ) {
      classes.add(m[1] as string);
    } else if ((m = /^class (n\d+(?:,n\d+)*) ([a-z_]+)$/.exec(body))) {
      if (!classes.has(m[2] as string)) fail('class used before its classDef');
      for (const id of (m[1] as string).split(',')) if (!labels.has(id)) fail('class on an undeclared node');
    } else {
      fail('not a flowchart statement of the subset');
    }
  }
  return labels;
}

function decode(label: string): string {
  return label.replace(/<br\/>/g, '\n').replace(/#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)));
}

const node = (id: string, extra: Partial<PictureNode> = {}): PictureNode => ({
  id,
  type: null,
  name: null,
  result: null,
  ...extra,
});

describe('toMermaid', () => {
  it('draws the live translation template, each node styled by its result', () => {
    const graph: PictureGraph = {
      nodes: [
        node('start', { type: 'Start', name: 'Start', result: { status: 'succeeded' } }),
        node('llm_1', { type: 'LLM', name: 'Translate "es" → <en>', result: { status: 'failed' } }),
        node('end', { type: 'End', name: 'End' }),
      ],
      edges: [
        { source: 'start', target: 'llm_1' },
        { source: 'llm_1', target: 'end' },
        { source: 'end', target: 'ghost' },
      ],
    };
    const text = toMermaid(graph);
    expect(text).toBe(
      [
        'flowchart LR',
        '    n0["Start<br/>start"]',
        '    n1["Translate #34;es#34; #8594; #60;en#62; (LLM)<br/>llm_1"]',
        '    n2["End<br/>end"]',
        '    n3["ghost (missing)"]',
        '    n0 --> n1',
        '    n1 --> n2',
        '    n2 --> n3',
        '    classDef succeeded fill:#d3f9d8,stroke:#2b8a3e,color:#1b1b1b',
        '    class n0 succeeded',
        '    classDef failed fill:#ffe3e3,stroke:#c92a2a,color:#1b1b1b',
        '    class n1 failed',
        '    classDef no_result fill:#ffffff,stroke:#adb5bd,color:#495057',
        '    class n2 no_result',
        '    classDef missing fill:#ffffff,stroke:#c92a2a,stroke-dasharray:4 4,color:#c92a2a',
        '    class n3 missing',
        '',
      ].join('\n'),
    );
    expect([...checkFlowchart(text).values()]).toEqual([
      'Start\nstart',
      'Translate "es" → <en> (LLM)\nllm_1',
      'End\nend',
      'ghost (missing)',
    ]);
  });

  it('draws a repeated id once and an empty graph as a bare header', () => {
    expect(toMermaid({ nodes: [node('a'), node('a', { name: 'again' })], edges: [{ source: 'a', target: 'a' }] })).toBe(
      'flowchart LR\n    n0["a"]\n    n0 --> n0\n    classDef no_result fill:#ffffff,stroke:#adb5bd,color:#495057\n    class n0 no_result\n',
    );
    expect(toMermaid({ nodes: [], edges: [] })).toBe('flowchart LR\n');
  });

  it('maps result words onto states', () => {
    const states = ['success', 'Succeeded', 'error', 'processing', 'cancelled', 'queued', 'whatever', null].map(
      (status) => toMermaid({ nodes: [node('a', { result: { status } })], edges: [] }).match(/class n0 (\w+)/)?.[1],
    );
    expect(states).toEqual(['succeeded', 'succeeded', 'failed', 'running', 'stopped', 'pending', 'unknown', 'unknown']);
  });

  it('escapes every character a label could break out with', () => {
    expect(escapeMermaidLabel('a"b]c[d`e#f;g<h>i&j\nk|l{m}n%o\\p\'q')).toBe(
      'a#34;b#93;c#91;d#96;e#35;f#59;g#60;h#62;i#38;j#10;k#124;l#123;m#125;n#37;o#92;p#39;q',
    );
    expect(escapeMermaidLabel('😀 end')).toBe('#128512; end');
  });

  it('stays inside the flowchart subset and round-trips every label, whatever the ids, names and edges (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: text.filter((s) => s.trim() !== ''),
            name: fc.option(text),
            type: fc.option(text),
            status: fc.option(text),
          }),
          { maxLength: 8 },
        ),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.nat(),
            text.filter((s) => s.trim() !== ''),
          ),
          { maxLength: 10 },
        ),
        (specs, edgeSpecs) => {
          const nodes = specs.map((s) =>
            node(s.id, { name: s.name, type: s.type, result: s.status === null ? null : { status: s.status } }),
          );
          const ids = nodes.map((n) => n.id);
          // Edges between listed nodes, or to an id the graph does not list.
          const edges = edgeSpecs.map(([a, b, stray]) => ({
            source: ids.length > 0 ? (ids[a % ids.length] as string) : stray,
            target: ids.length > 0 && b % 3 !== 0 ? (ids[b % ids.length] as string) : stray,
          }));
          const labels = checkFlowchart(toMermaid({ nodes, edges }));
          const distinct = new Set([...ids, ...edges.flatMap((e) => [e.source, e.target])]);
          expect(labels.size).toBe(distinct.size);
          for (const label of labels.values()) expect(label.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
