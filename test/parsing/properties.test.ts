/**
 * Property-style checks without a property-testing dependency: a seeded PRNG
 * generates many inputs, so failures are reproducible (the seed and the case
 * index are in the message).
 */

import { parseImageTask } from '../../src/parsing/image-task.js';
import { jsonFieldOrRaw, parseJsonField } from '../../src/parsing/json-field.js';
import type { JsonValue, TaskState } from '../../src/parsing/models.js';
import { nodeResultIndex, parseNodeResults } from '../../src/parsing/node-results.js';
import { durationSeconds, toRfc3339Seconds } from '../../src/parsing/time.js';
import { parseWorkflowGraph } from '../../src/parsing/workflow-graph.js';
import { parseWorkflowTask } from '../../src/parsing/workflow-task.js';

const SEED = 0x5eed_2025;
const CASES = 400;

/** mulberry32: tiny, fast, good enough to spread test inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY_CHARS = [
  '"',
  '\\',
  '\\"',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '\n',
  '\t',
  '\u0000',
  'é',
  '字',
  '😀',
  ' ',
  'a',
  '1',
  '\uFEFF',
];

function generator(seed: number) {
  const rand = prng(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const oneOf = <T>(items: readonly T[]): T => items[int(items.length)] as T;

  const string = (): string =>
    Array.from({ length: int(8) }, () => (rand() < 0.5 ? oneOf(TRICKY_CHARS) : String.fromCharCode(32 + int(95)))).join(
      '',
    );
  const key = (): string =>
    oneOf([
      'id',
      'Id',
      'nodeId',
      'type',
      'name',
      'source',
      'target',
      'status',
      'output',
      'error',
      '__proto__',
      '',
      'x',
      string(),
    ]);

  const json = (depth: number): JsonValue => {
    const pick = int(depth > 0 ? 8 : 5);
    switch (pick) {
      case 0:
        return null;
      case 1:
        return rand() < 0.5;
      case 2:
        return oneOf([0, -1, 1.5, 1e21, -0.000001, Number.MAX_SAFE_INTEGER, int(1000)]);
      case 3:
      case 4:
        return string();
      case 5:
        return Array.from({ length: int(4) }, () => json(depth - 1));
      default: {
        const out: Record<string, JsonValue> = {};
        for (let i = int(4); i > 0; i -= 1)
          Object.defineProperty(out, key(), {
            value: json(depth - 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return out;
      }
    }
  };

  const container = (): JsonValue => (rand() < 0.5 ? Array.from({ length: int(4) }, () => json(3)) : objectOf());
  const objectOf = (): JsonValue => {
    const out: Record<string, JsonValue> = {};
    for (let i = int(5); i > 0; i -= 1)
      Object.defineProperty(out, key(), { value: json(3), enumerable: true, writable: true, configurable: true });
    return out;
  };

  /** Anything at all, including values JSON cannot hold and text that almost is JSON. */
  const junk = (depth: number): unknown => {
    switch (int(depth > 0 ? 12 : 10)) {
      case 0:
        return undefined;
      case 1:
        return Number.NaN;
      case 2:
        return oneOf([Symbol('s'), () => 1, BigInt(7), new Date(int(2) ? 0 : Number.NaN), new Map()]);
      case 3:
        return string();
      case 4:
        return JSON.stringify(json(2)).slice(0, int(20));
      case 5:
        return JSON.stringify(JSON.stringify(json(2))).slice(1, -1 - int(3));
      case 6:
        return oneOf([
          'FINISH',
          'WAITING',
          'succeeded',
          'partial-succeeded',
          'FAIL',
          'SUCCESS',
          'running',
          '2025-05-16T07:44:26Z',
          '{...}',
          '',
        ]);
      case 7:
      case 8:
      case 9:
        return json(2);
      case 10:
        return Array.from({ length: int(4) }, () => junk(depth - 1));
      default: {
        const out: Record<string, unknown> = {};
        const keys = [
          'Status',
          'ErrCode',
          'ErrMsg',
          'ImageProcessTaskResultSet',
          'Output',
          'OutputStorage',
          'Progress',
          'CreateTime',
          'FinishTime',
          'WorkflowTask',
          'Workflow',
          'Graph',
          'NodeResults',
          'Inputs',
          'UserData',
          'nodes',
          'edges',
          'Response',
          key(),
        ];
        for (let i = int(6); i > 0; i -= 1) out[oneOf(keys)] = junk(depth - 1);
        return out;
      }
    }
  };

  return { rand, int, oneOf, json, container, junk };
}

const STATES: readonly TaskState[] = [
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'PARTIALLY_SUCCEEDED',
  'FAILED',
  'STOPPED',
  'UNKNOWN',
];
const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('parsing properties', () => {
  it('decodes every encoding of a random container back to the same value', () => {
    const g = generator(SEED);
    for (let i = 0; i < CASES; i += 1) {
      const value = g.container();
      const text = JSON.stringify(value);
      const encodings: unknown[] = [value, text, JSON.stringify(text), JSON.stringify(text).slice(1, -1), ` ${text}\n`];
      for (const [n, encoded] of encodings.entries()) {
        const result = parseJsonField(encoded);
        if (!result.ok || JSON.stringify(result.value) !== text) {
          throw new Error(
            `seed ${SEED} case ${i} encoding ${n}: ${JSON.stringify(encoded)} -> ${JSON.stringify(result)}`,
          );
        }
      }
    }
  });

  it('never loses text: a string field is either decoded to a container or returned exactly as sent', () => {
    const g = generator(SEED + 1);
    for (let i = 0; i < CASES * 2; i += 1) {
      const input = g.junk(2);
      if (typeof input !== 'string') continue;
      const out = jsonFieldOrRaw(input);
      const decodedContainer = typeof out === 'object' && out !== null;
      if (!decodedContainer && out !== input)
        throw new Error(`seed ${SEED + 1} case ${i}: ${JSON.stringify(input)} -> ${JSON.stringify(out)}`);
    }
  });

  it('never throws and always returns well-formed models, whatever comes in', () => {
    const g = generator(SEED + 2);
    for (let i = 0; i < CASES * 2; i += 1) {
      const input = g.junk(3);
      try {
        const field = parseJsonField(input);
        expect(typeof field.ok).toBe('boolean');

        const image = parseImageTask('t', input);
        expect(STATES).toContain(image.state);
        expect(typeof image.terminal).toBe('boolean');
        expect(Array.isArray(image.results)).toBe(true);
        for (const time of [image.createTime, image.finishTime])
          if (time !== null) expect(time).toMatch(RFC3339_SECONDS);
        for (const result of image.results)
          expect(JSON.stringify(result.output?.storage ?? null)).not.toMatch(/S3Secret/i);

        const workflow = parseWorkflowTask('t', input);
        expect(STATES).toContain(workflow.state);
        expect(workflow.terminal).toBe(
          ['STOPPED', 'FAILED', 'PARTIALLY_SUCCEEDED', 'SUCCEEDED'].includes(workflow.state),
        );
        expect(JSON.parse(JSON.stringify(workflow))).toBeDefined();

        const graph = parseWorkflowGraph(input);
        if (graph.ok) for (const node of graph.value.nodes) expect(node.id.trim()).not.toBe('');
        nodeResultIndex(parseNodeResults(input));
        toRfc3339Seconds(input);
        durationSeconds(input, input);
      } catch (error) {
        throw new Error(`seed ${SEED + 2} case ${i}: ${String(error)}\ninput: ${safe(input)}`, { cause: error });
      }
    }
  });

  it('normalises random instants with random fractions and offsets to the same UTC second', () => {
    const g = generator(SEED + 3);
    for (let i = 0; i < CASES; i += 1) {
      const ms = Date.UTC(1971 + g.int(100), g.int(12), 1 + g.int(28), g.int(24), g.int(60), g.int(60), g.int(1000));
      const offset = (g.rand() < 0.5 ? -1 : 1) * (g.int(24) * 60 + g.int(60));
      const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
      const sign = offset < 0 ? '-' : '+';
      const abs = Math.abs(offset);
      const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      const expected = `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
      expect(toRfc3339Seconds(`${local}${zone}`)).toBe(expected);
      expect(durationSeconds(`${local}${zone}`, expected)).toBe(0);
    }
  });
});

function safe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
