/**
 * The task cache's byte bound over real HTTP: large workflow tasks (long graphs, a result
 * for every node, outputs naming every segment) fill CACHE_MAX_BYTES long before
 * CACHE_MAX_ENTRIES, and the cache's own gauge shows it never holds more than the bound
 * while every answer stays whole. The response caches are off, so every repeat reaches the
 * task cache and the emulator's call count shows what it kept.
 */
import { largeWorkflowTask } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const MAX_BYTES = 4 * 1024 * 1024;
const NODES = 200;
const WORKFLOW = `query ($id: ID!) {
  workflowTask(taskId: $id) {
    taskId state outputs
    workflow { graph { nodes { id name } edges { source target } } }
    nodeResults { nodeId status output }
  }
}`;

interface WorkflowAnswer {
  taskId: string;
  state: string;
  outputs: { segments: string[] };
  workflow: { graph: { nodes: Array<{ id: string }>; edges: unknown[] } };
  nodeResults: Array<{ nodeId: string; status: string; output: { text: string } }>;
}

describe('task cache bounded by bytes, over HTTP', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      CACHE_MAX_ENTRIES: '10000',
      CACHE_MAX_BYTES: String(MAX_BYTES),
      RESPONSE_CACHE_MAX_BYTES: '0',
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  function putLarge(taskId: string, nodes = NODES): string {
    stack.emulator.putWorkflowTask(taskId, largeWorkflowTask(taskId, nodes));
    return taskId;
  }

  async function gauge(name: 'task_cache_bytes' | 'task_cache_entries'): Promise<number> {
    const { text } = await stack.request('/metrics');
    const line = text.split('\n').find((each) => each.startsWith(`${name}{provider="alibaba-ice"} `));
    return Number(line?.split(' ')[1]);
  }

  async function expectWhole(taskId: string, nodes = NODES): Promise<void> {
    const { body } = await stack.query(WORKFLOW, { id: taskId });
    expect(body.errors).toBeUndefined();
    const task = body.data?.['workflowTask'] as WorkflowAnswer;
    expect(task).toMatchObject({ taskId, state: 'SUCCEEDED' });
    expect(task.workflow.graph.nodes).toHaveLength(nodes);
    expect(task.workflow.graph.edges).toHaveLength(nodes - 1);
    expect(task.nodeResults).toHaveLength(nodes);
    expect(task.nodeResults[nodes - 1]).toMatchObject({
      nodeId: `node_${String(nodes - 1).padStart(4, '0')}`,
      status: 'succeeded',
    });
    expect(task.nodeResults[nodes - 1]?.output.text.startsWith(`${nodes - 1}: `)).toBe(true);
    expect(task.outputs.segments).toHaveLength(nodes);
  }

  it('keeps the estimated bytes under CACHE_MAX_BYTES while answering large tasks whole', async () => {
    const ids = Array.from({ length: 15 }, (_, index) => putLarge(`e2e-large-${index}`));
    for (const taskId of ids) {
      await expectWhole(taskId);
      expect(await gauge('task_cache_bytes')).toBeLessThanOrEqual(MAX_BYTES);
    }
    const entries = await gauge('task_cache_entries');
    // Each 200-node task is estimated at about 430 KB (the parsed graph and node results, plus graphSource and
    // nodeResultsSource, which keep what the provider sent), so the 4 MiB bound holds 9 of them.
    expect(entries).toBeGreaterThanOrEqual(5);
    expect(entries).toBeLessThan(ids.length);
    expect(await gauge('task_cache_bytes')).toBeGreaterThan(MAX_BYTES / 2);

    // The most recent ones are answered from the cache; the oldest was let go and is asked for again.
    stack.emulator.resetCalls();
    for (const taskId of ids.slice(-entries)) await expectWhole(taskId);
    expect(stack.emulator.callCount({})).toBe(0);
    await expectWhole(ids[0]!);
    expect(stack.emulator.callCount({ taskId: ids[0]! })).toBe(1);
    expect(await gauge('task_cache_bytes')).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('answers a task too large to keep from the provider every time, and keeps the rest', async () => {
    const kept = putLarge('e2e-large-kept');
    const huge = putLarge('e2e-huge', 1_000);
    await expectWhole(kept);
    const before = await gauge('task_cache_bytes');
    stack.emulator.resetCalls();
    await expectWhole(huge, 1_000);
    await expectWhole(huge, 1_000);
    await expectWhole(kept);
    expect(stack.emulator.callCount({ taskId: huge })).toBe(2);
    expect(stack.emulator.callCount({ taskId: kept })).toBe(0);
    expect(await gauge('task_cache_bytes')).toBe(before);
  });
});
