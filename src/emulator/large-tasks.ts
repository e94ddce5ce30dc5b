/**
 * Workflow tasks of a realistic large size, for memory tests and the bench: a graph of
 * `nodes` steps in a chain, a result with output for every node, and outputs that name
 * every segment. Real ICE workflows with long graphs come back in this shape, and their
 * parsed models are what makes a cache bounded only by entry count grow without bound
 * in bytes. Deterministic, so two calls with the same arguments give the same task.
 */
import type { JsonObject, WorkflowTaskSeed } from './json.js';

/** Filler of a fixed length, so each node adds about the same bytes. */
const PROMPT =
  'Translate the subtitle segment to English, keep the timing marks and speaker labels as they are, and never add text. '.repeat(
    2,
  );
const TRANSCRIPT =
  'Hola a todos, bienvenidos a la transmisión en vivo de esta tarde; hoy hablamos del nuevo catálogo de otoño. '.repeat(
    3,
  );

export function largeWorkflowTask(taskId: string, nodes: number): WorkflowTaskSeed {
  const ids = Array.from({ length: nodes }, (_, index) => `node_${String(index).padStart(4, '0')}`);
  const graph = {
    nodes: ids.map((id, index) => ({
      id,
      type: 'LLM',
      name: `Step ${index}`,
      config: { model: 'qwen-plus', temperature: 0.2, prompt: PROMPT },
    })),
    edges: ids.slice(1).map((id, index) => ({ source: ids[index]!, target: id })),
  };
  const nodeResults: JsonObject = Object.fromEntries(
    ids.map((id, index) => [
      id,
      { status: 'succeeded', output: { text: `${index}: ${TRANSCRIPT}`, segments: index }, error: null },
    ]),
  );
  return {
    TaskId: taskId,
    Status: 'succeeded',
    CreateTime: '2026-05-04T08:00:00Z',
    FinishTime: '2026-05-04T08:09:00Z',
    Inputs: JSON.stringify({ url: 'oss://bench-bucket/input.mp4', nodes }),
    Workflow: {
      WorkflowId: '3f44c1a2-f1f6-477e-9364-c5e6c49e7b10',
      Name: 'LongTranslationChain',
      Status: 'Published',
      Type: 'Live',
      CreateTime: '2026-04-20T01:35:04Z',
      ModifiedTime: '2026-04-22T09:12:45Z',
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
      Graph: JSON.stringify(graph),
    },
    NodeResults: JSON.stringify(nodeResults),
    Outputs: JSON.stringify({ summary: 'ok', segments: ids }),
  };
}
