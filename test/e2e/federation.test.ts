/**
 * The subgraph composed into a supergraph with a second subgraph and served by an
 * in-process Apollo Gateway: entity references from the other subgraph are resolved
 * here, through the loaders, with one upstream call per distinct task id.
 */
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

import { ApolloGateway } from '@apollo/gateway';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import fetch from 'node-fetch';
import { SEED } from '../../src/emulator/index.js';
import { loadTypeDefs } from '../../src/schema.js';
import { JOBS_TYPEDEFS, startJobsSubgraph } from '../support/jobs-subgraph.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const DOC_IMAGE_TASK = '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4';

describe('federation through an Apollo Gateway', () => {
  let stack: TestStack;
  let jobs: { url: string; stop: () => Promise<void> };
  let gateway: ApolloServer;
  let gatewayUrl: string;
  const workflowIds = Object.values(SEED.workflow).slice(0, 3);
  const imageIds = [
    DOC_IMAGE_TASK,
    ...Object.values(SEED.image)
      .filter((id) => id !== DOC_IMAGE_TASK)
      .slice(0, 2),
  ];

  beforeAll(async () => {
    stack = await startTestStack();
    // Six jobs naming three image tasks and three workflow tasks, each id twice.
    const rows = [...imageIds, ...imageIds].map((imageTaskId, i) => ({
      id: `job-${i}`,
      imageTaskId,
      workflowTaskId: workflowIds[i % workflowIds.length] ?? null,
    }));
    jobs = await startJobsSubgraph(rows);
    const composed = composeServices([
      { name: 'media-tasks', typeDefs: loadTypeDefs(), url: stack.url },
      { name: 'jobs', typeDefs: JOBS_TYPEDEFS, url: jobs.url },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
    gateway = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: composed.supergraphSdl }) });
    ({ url: gatewayUrl } = await startStandaloneServer(gateway, { listen: { port: 0, host: '127.0.0.1' } }));
  });

  afterAll(async () => {
    await gateway?.stop();
    await jobs?.stop();
    await stack?.stop();
  });

  async function gatewayQuery(query: string): Promise<{ data?: any; errors?: any[] }> {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  }

  it('composes with another subgraph', () => {
    expect(gatewayUrl).toMatch(/^http:/);
  });

  it('resolves entity fields for references from the other subgraph, one upstream call per distinct id', async () => {
    stack.emulator.resetCalls();
    const result = await gatewayQuery(`{
      jobs {
        id
        imageTask { taskId state status createTime }
        workflowTask { taskId state workflow { name } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.jobs).toHaveLength(6);
    const docJob = result.data.jobs[0];
    expect(docJob.imageTask).toEqual({
      taskId: DOC_IMAGE_TASK,
      state: 'UNKNOWN',
      status: 'FINISH',
      createTime: '2025-05-16T07:44:26Z',
    });
    for (const job of result.data.jobs) {
      expect(job.workflowTask.taskId).toEqual(expect.any(String));
      expect(job.workflowTask.state).toEqual(expect.any(String));
    }
    expect(stack.emulator.callCount({ provider: 'tencent-mps' })).toBe(new Set(imageIds).size);
    expect(stack.emulator.callCount({ provider: 'alibaba-ice' })).toBe(new Set(workflowIds).size);
  });
});
