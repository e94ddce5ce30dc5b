/**
 * Through a federation gateway that supports subscriptions: Hive Gateway's runtime
 * (@graphql-hive/gateway-runtime, in process), serving a supergraph composed of this subgraph
 * and a second one, subscribes to this subgraph over WebSocket (graphql-transport-ws) and
 * streams the events to its client as server-sent events. Apollo Router is not on npm.
 */
import { composeServices } from '@apollo/composition';
import { loadTypeDefs } from '../../src/schema.js';
import { JOBS_TYPEDEFS, startJobsSubgraph } from '../support/jobs-subgraph.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { until } from '../support/ws-client.js';

/**
 * The slice of the gateway's API this test uses. Imported by a computed specifier on purpose: its
 * type declarations (graphql-yoga's) augment graphql's GraphQLErrorExtensions globally, which would
 * change how the rest of the project type-checks.
 */
interface GatewayRuntime {
  fetch(url: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<Response>;
  dispose(): Promise<void> | void;
}
interface GatewayModule {
  createGatewayRuntime(options: Record<string, unknown>): GatewayRuntime;
}
const GATEWAY_PACKAGE = '@graphql-hive/gateway-runtime';

interface StreamedResult {
  readonly data?: { imageTaskUpdated?: { taskId: string; state: string } } | null;
  readonly errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** Reads a text/event-stream body: every `next` event's data, until the stream ends. */
async function readEvents(body: ReadableStream<Uint8Array>, into: StreamedResult[]): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === 'next' && data) into.push(JSON.parse(data) as StreamedResult);
    }
  }
}

describe('subscriptions through a federation gateway (Hive Gateway runtime)', () => {
  let stack: TestStack;
  let jobs: { url: string; stop: () => Promise<void> };
  let gateway: GatewayRuntime;

  beforeAll(async () => {
    stack = await startTestStack({ CACHE_RUNNING_TTL_MS: '250', SUBSCRIPTION_WAITING_INTERVAL_MS: '100' });
    jobs = await startJobsSubgraph([{ id: 'job-1', imageTaskId: 'gateway-mps-1', workflowTaskId: null }]);
    const composed = composeServices([
      { name: 'media-tasks', typeDefs: loadTypeDefs(), url: new URL('/graphql', stack.url).toString() },
      { name: 'jobs', typeDefs: JOBS_TYPEDEFS, url: jobs.url },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
    const { createGatewayRuntime } = (await import(GATEWAY_PACKAGE)) as GatewayModule;
    gateway = createGatewayRuntime({
      supergraph: composed.supergraphSdl,
      maskedErrors: false,
      logging: false,
      // The gateway's passthrough: subscriptions to this subgraph over graphql-transport-ws on /graphql.
      transportEntries: { 'media-tasks': { options: { subscriptions: { kind: 'ws', location: '/graphql' } } } },
    });
  });
  afterAll(async () => {
    await gateway?.dispose();
    await jobs?.stop();
    await stack?.stop();
  });

  it('streams a task from waiting to finished through the gateway, then ends', async () => {
    const id = 'gateway-mps-1';
    stack.emulator.scriptTask('tencent-mps', id);
    const response = await gateway.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId state } }',
        variables: { id },
      }),
    });
    expect(response.status).toBe(200);
    const events: StreamedResult[] = [];
    let ended = false;
    const reading = readEvents(response.body!, events).then(() => {
      ended = true;
    });
    await until(() => events.length === 1, 'the first event');
    for (let step = 1; step <= 3; step += 1) {
      stack.emulator.advanceTask('tencent-mps', id);
      await until(() => events.length >= step + 1, `event ${step + 1}`);
    }
    await until(() => ended, 'the end of the stream');
    await reading;
    expect(events.map((event) => event.data?.imageTaskUpdated?.state)).toEqual([
      'PENDING',
      'RUNNING',
      'RUNNING',
      'SUCCEEDED',
    ]);

    // The composed graph still answers the other subgraph's queries with this one's entities.
    const query = await gateway.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ jobs { id imageTask { taskId state } } }' }),
    });
    expect(await query.json()).toEqual({
      data: { jobs: [{ id: 'job-1', imageTask: { taskId: id, state: 'SUCCEEDED' } }] },
    });
  });
});
