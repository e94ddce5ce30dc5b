/**
 * The example operations of docs/queries.md, run as a newcomer would paste them: each one against the
 * emulator, with the variables its `# variables:` comment gives. The first example must show
 * a task with results, and the Dashboard query its NOT_FOUND entry.
 */
import { readFileSync } from 'node:fs';
import { startTestStack, type TestStack } from '../support/stack.js';

interface Example {
  readonly document: string;
  readonly variables: Record<string, unknown> | undefined;
}

/** The ```graphql block under "## Example queries", split at each top-level operation. */
function readmeExamples(): Example[] {
  const readme = readFileSync(new URL('../../docs/queries.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Example queries'));
  const block = /```graphql\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const operations: Example[] = [];
  for (const chunk of block.split(/\n(?=query\b)/)) {
    const document = chunk
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n')
      .trim();
    if (!document.startsWith('query')) continue;
    const variables = /^# variables: (.*)$/m.exec(chunk)?.[1];
    operations.push({
      document,
      variables: variables ? (JSON.parse(variables) as Record<string, unknown>) : undefined,
    });
  }
  return operations;
}

describe("the docs' example queries", () => {
  let stack: TestStack;
  const examples = readmeExamples();
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('are all found', () => {
    expect(examples).toHaveLength(4);
  });

  it('start with tasks that have results to look at', async () => {
    const first = await stack.query(examples[0]?.document ?? '', examples[0]?.variables);
    expect(first.body.errors).toBeUndefined();
    const data = first.body.data as {
      imageTask: { results: unknown[] };
      workflowTask: { nodeResults: unknown[]; workflow: { graph: { nodes: unknown[] } } };
    };
    expect(data.imageTask.results.length).toBeGreaterThan(0);
    expect(data.workflowTask.nodeResults.length).toBeGreaterThan(0);
    expect(data.workflowTask.workflow.graph.nodes.length).toBeGreaterThan(0);
  });

  it('draw the graph', async () => {
    const answer = await stack.query(examples[1]?.document ?? '');
    expect(answer.body.errors).toBeUndefined();
    const graph = (
      answer.body.data as { workflowTask: { workflow: { graph: { mermaid: string; layout: { nodes: unknown[] } } } } }
    ).workflowTask.workflow.graph;
    expect(graph.mermaid).toMatch(/^flowchart LR/);
    expect(graph.layout.nodes.length).toBeGreaterThan(0);
  });

  it('show the Dashboard query with its variables: answers in order, NOT_FOUND at the unknown id', async () => {
    const dashboard = examples[2] as Example;
    expect(dashboard.document).toContain('query Dashboard($ids: [ID!]!)');
    expect(dashboard.variables).toBeDefined();
    const answer = await stack.query(dashboard.document, dashboard.variables);
    const tasks = (answer.body.data as { imageTasks: Array<{ state: string } | null> }).imageTasks;
    expect(tasks.map((task) => task?.state ?? null)).toEqual(['SUCCEEDED', 'FAILED', null]);
    expect(answer.body.errors?.map((error) => [error.path, error.extensions?.['code']])).toEqual([
      [['imageTasks', 2], 'NOT_FOUND'],
    ]);
  });

  it("resolve the router's entity representation", async () => {
    const entities = examples[3] as Example;
    const answer = await stack.query(entities.document, entities.variables);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ _entities: [{ taskId: expect.any(String), state: 'SUCCEEDED' }] });
  });
});
