/**
 * Property: whatever shape a workflow graph or its node results come in, the
 * same nodes, edges and results come out, and every entry that cannot be read
 * is counted and named instead of hiding the rest (fast-check).
 */
import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../src/parsing/models.js';
import { parseNodeResults } from '../../src/parsing/node-results.js';
import { parseWorkflowGraph } from '../../src/parsing/workflow-graph.js';

const nodeId = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);

/** A graph as a model: unique node ids and edges between them. */
const graphModel = fc.uniqueArray(nodeId, { minLength: 1, maxLength: 8 }).chain((ids) =>
  fc.record({
    ids: fc.constant(ids),
    edges: fc.uniqueArray(fc.tuple(fc.constantFrom(...ids), fc.constantFrom(...ids)), {
      maxLength: 10,
      selector: ([s, t]) => `${s}\u0000${t}`,
    }),
  }),
);

const EDGE_SPELLINGS = [
  ['source', 'target'],
  ['from', 'to'],
  ['Source', 'Target'],
  ['From', 'To'],
] as const;

/** Entries no parser can read: they must be skipped and counted. */
const badNode = fc.constantFrom<JsonValue>({ type: 'Note' }, 'text', 7, null, [], { id: '  ' });
const badEdge = fc.constantFrom<JsonValue>({ label: 'x' }, { source: 'a' }, 'a->b', null, { target: 'b' });

describe('workflow graph shapes (property)', () => {
  it('reads the same nodes and edges from every shape, skipping and counting only the unreadable entries', () => {
    fc.assert(
      fc.property(
        graphModel,
        fc.record({
          nodesKey: fc.constantFrom('nodes', 'Nodes'),
          edgesKey: fc.constantFrom('edges', 'Edges'),
          nodeMap: fc.boolean(),
          edgeForm: fc.constantFrom('list', 'next', 'children'),
          spelling: fc.integer({ min: 0, max: EDGE_SPELLINGS.length - 1 }),
        }),
        fc.array(fc.tuple(fc.nat(), badNode), { maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), badEdge), { maxLength: 3 }),
        ({ ids, edges }, shape, badNodes, badEdges) => {
          const nodeObjects: JsonObject[] = ids.map((id) => {
            const node: JsonObject = shape.nodeMap ? { name: `N ${id}` } : { id, name: `N ${id}` };
            if (shape.edgeForm !== 'list') {
              const targets = edges.filter(([source]) => source === id).map(([, target]) => target);
              if (targets.length > 0) node[shape.edgeForm] = targets;
            }
            return node;
          });
          let nodes: JsonValue;
          let badNodeCount = 0;
          if (shape.nodeMap) {
            nodes = Object.fromEntries(ids.map((id, i) => [id, nodeObjects[i] as JsonObject]));
            // A map value that is not an object cannot be a node.
            for (const [n, [, bad]] of badNodes.entries()) {
              if (typeof bad !== 'object' || bad === null || Array.isArray(bad)) {
                (nodes as JsonObject)[`zz_bad_${n}`] = bad;
                badNodeCount += 1;
              }
            }
          } else {
            const list: JsonValue[] = [...nodeObjects];
            for (const [at, bad] of badNodes) list.splice(at % (list.length + 1), 0, bad);
            nodes = list;
            badNodeCount = badNodes.length;
          }
          const [sourceKey, targetKey] = EDGE_SPELLINGS[shape.spelling] ?? EDGE_SPELLINGS[0];
          const graph: JsonObject = { [shape.nodesKey]: nodes };
          if (shape.edgeForm === 'list' || badEdges.length > 0) {
            const list: JsonValue[] =
              shape.edgeForm === 'list' ? edges.map(([s, t]) => ({ [sourceKey]: s, [targetKey]: t })) : [];
            for (const [at, bad] of badEdges) list.splice(at % (list.length + 1), 0, bad);
            graph[shape.edgesKey] = list;
          }

          const parsed = parseWorkflowGraph(JSON.parse(JSON.stringify(graph)));
          if (!parsed.ok) throw new Error(parsed.reason);
          expect(parsed.value.nodes.map((node) => node.id)).toEqual(ids);
          expect(parsed.value.nodes.map((node) => node.name)).toEqual(ids.map((id) => `N ${id}`));
          const pairs = (list: readonly (readonly [string, string])[]) => list.map(([s, t]) => `${s}->${t}`).sort();
          expect(pairs(parsed.value.edges.map((edge) => [edge.source, edge.target] as const))).toEqual(pairs(edges));
          expect(parsed.value.skipped).toBe(badNodeCount + badEdges.length);
          expect(parsed.value.warnings.filter((w) => w.skipped)).toHaveLength(parsed.value.skipped);
          for (const warning of parsed.value.warnings) expect(warning.reason).not.toBe('');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads the same node results from an array, a map keyed by node id and a wrapped array', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(nodeId, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('array', 'map', 'nodes', 'results', 'NodeResults'),
        fc.constantFrom('nodeId', 'NodeId', 'node_id', 'id'),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom<JsonValue>({ status: 'orphan' }, 'x', 3, null)), { maxLength: 3 }),
        (ids, form, idKey, bad) => {
          const entry = (id: string): JsonObject => ({ status: `s-${id}`, output: { text: id } });
          let value: JsonValue;
          let expectedSkipped = 0;
          if (form === 'map') {
            value = Object.fromEntries(ids.map((id) => [id, entry(id)]));
          } else {
            const list: JsonValue[] = ids.map((id) => ({ [idKey]: id, ...entry(id) }));
            for (const [at, junk] of bad) list.splice(at % (list.length + 1), 0, junk);
            expectedSkipped = bad.length;
            value = form === 'array' ? list : { [form]: list };
          }
          const parsed = parseNodeResults(value);
          if (!parsed.ok) throw new Error(parsed.reason);
          expect(parsed.value.results.map((r) => [r.nodeId, r.status, r.output])).toEqual(
            ids.map((id) => [id, `s-${id}`, { text: id }]),
          );
          expect(parsed.value.skipped).toBe(expectedSkipped);
        },
      ),
      { numRuns: 300 },
    );
  });
});
