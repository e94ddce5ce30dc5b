/**
 * The real Apollo Client 4, set up as docs/clients.md shows, against a real subgraph on loopback
 * with the emulator behind it: tasks are normalized (one cache entry per task, found by
 * cache.identify), one failed id in a list costs only its entry, and a subscription's events
 * update a watched query through the cache. Ordered by events and provider calls, never by time.
 */
import { readFileSync } from 'node:fs';
import { gql, type ApolloClient, type ObservableQuery } from '@apollo/client';
import { SEED } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { until } from '../support/ws-client.js';
import { byTaskId, createMediaTaskClient } from './apollo-setup.js';

interface Task {
  readonly __typename: 'ImageTask' | 'WorkflowTask';
  readonly id: string;
  readonly taskId: string;
  readonly state: string;
}

const IMAGE_TASKS = gql`
  query ImageTasks($taskIds: [ID!]!) {
    imageTasks(taskIds: $taskIds) {
      id
      taskId
      state
    }
  }
`;
const IMAGE_TASK = gql`
  query ImageTask($taskId: ID!) {
    imageTask(taskId: $taskId) {
      id
      taskId
      state
    }
  }
`;
const WORKFLOW_TASKS_BY_TASK_ID = gql`
  query WorkflowTasks($taskIds: [ID!]!) {
    workflowTasks(taskIds: $taskIds) {
      taskId
      state
    }
  }
`;
const WORKFLOW_TASK_BY_TASK_ID = gql`
  query WorkflowTask($taskId: ID!) {
    workflowTask(taskId: $taskId) {
      taskId
      state
    }
  }
`;
const WATCHED = gql`
  query Watched($taskIds: [ID!]!) {
    imageTasks(taskIds: $taskIds) {
      id
      taskId
      status
      state
      results {
        status
        progress
      }
    }
  }
`;
const UPDATES = gql`
  subscription Updates($taskId: ID!) {
    imageTaskUpdated(taskId: $taskId) {
      id
      taskId
      status
      state
      results {
        status
        progress
      }
    }
  }
`;

const finished = SEED.image.finishedSuccess;
const failed = SEED.image.finishedFaceNotFound;
const succeededWorkflow = SEED.workflow.succeeded;
const runningWorkflow = SEED.workflow.running;

describe('Apollo Client against the subgraph', () => {
  let stack: TestStack;
  const clients: ApolloClient[] = [];
  const client = (typePolicies?: Parameters<typeof createMediaTaskClient>[1]): ApolloClient => {
    const made = createMediaTaskClient(new URL('/graphql', stack.url).toString(), typePolicies);
    clients.push(made);
    return made;
  };
  const calls = (taskId: string): number => stack.emulator.callCount({ taskId });

  beforeAll(async () => {
    stack = await startTestStack({ CACHE_RUNNING_TTL_MS: '250', SUBSCRIPTION_WAITING_INTERVAL_MS: '100' });
  });
  afterAll(async () => {
    for (const each of clients) each.stop();
    await stack?.stop();
  });

  it('is the setup docs/clients.md shows, character for character', () => {
    const setup = readFileSync(new URL('./apollo-setup.ts', import.meta.url), 'utf8').replace(
      /^\/\*\*[\s\S]*?\*\/\n/,
      '',
    );
    const page = readFileSync(new URL('../../docs/clients.md', import.meta.url), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(page)?.[1];
    expect(block).toBe(setup);
  });

  it('stores each task once under ImageTask:<id> when the query selects id, and cache.identify finds it', async () => {
    const apollo = client();
    const result = await apollo.query({ query: IMAGE_TASKS, variables: { taskIds: [finished, failed] } });
    expect(result.error).toBeUndefined();
    const tasks = (result.data as { imageTasks: Task[] }).imageTasks;
    expect(tasks.map((task) => [task.id, task.taskId, task.state])).toEqual([
      [finished, finished, 'SUCCEEDED'],
      [failed, failed, 'FAILED'],
    ]);

    expect(apollo.cache.identify({ __typename: 'ImageTask', id: finished })).toBe(`ImageTask:${finished}`);
    const stored = apollo.cache.extract() as Record<string, Record<string, unknown>>;
    expect(Object.keys(stored).sort()).toEqual(['ROOT_QUERY', `ImageTask:${failed}`, `ImageTask:${finished}`].sort());
    expect(stored[`ImageTask:${finished}`]).toEqual({
      __typename: 'ImageTask',
      id: finished,
      taskId: finished,
      state: 'SUCCEEDED',
    });
    expect(stored['ROOT_QUERY']?.[`imageTasks({"taskIds":["${finished}","${failed}"]})`]).toEqual([
      { __ref: `ImageTask:${finished}` },
      { __ref: `ImageTask:${failed}` },
    ]);
  });

  it('answers imageTask(taskId:) from a task a list brought in, through the read policy, without a provider call', async () => {
    const apollo = client();
    await apollo.query({ query: IMAGE_TASKS, variables: { taskIds: [finished] } });
    const before = calls(finished);
    const one = await apollo.query({ query: IMAGE_TASK, variables: { taskId: finished } });
    expect((one.data as { imageTask: Task }).imageTask).toEqual({
      __typename: 'ImageTask',
      id: finished,
      taskId: finished,
      state: 'SUCCEEDED',
    });
    expect(calls(finished)).toBe(before);

    // A task the cache has not seen still goes to the subgraph.
    const other = await apollo.query({ query: IMAGE_TASK, variables: { taskId: failed } });
    expect((other.data as { imageTask: Task }).imageTask.state).toBe('FAILED');
    expect(calls(failed)).toBeGreaterThan(0);
  });

  it('stores no task at all when a query selects only taskId and the cache has no keyFields for it', async () => {
    const apollo = client();
    await apollo.query({ query: WORKFLOW_TASKS_BY_TASK_ID, variables: { taskIds: [succeededWorkflow] } });
    expect(apollo.cache.identify({ __typename: 'WorkflowTask', taskId: succeededWorkflow })).toBeUndefined();
    expect(Object.keys(apollo.cache.extract() as object)).toEqual(['ROOT_QUERY']);
  });

  it('keys tasks by taskId with the byTaskId policies, for queries that do not select id', async () => {
    const apollo = client(byTaskId);
    await apollo.query({
      query: WORKFLOW_TASKS_BY_TASK_ID,
      variables: { taskIds: [succeededWorkflow, runningWorkflow] },
    });
    const key = `WorkflowTask:{"taskId":"${succeededWorkflow}"}`;
    expect(apollo.cache.identify({ __typename: 'WorkflowTask', taskId: succeededWorkflow })).toBe(key);
    const stored = apollo.cache.extract() as Record<string, Record<string, unknown>>;
    expect(stored[key]).toEqual({ __typename: 'WorkflowTask', taskId: succeededWorkflow, state: 'SUCCEEDED' });
    expect(Object.keys(stored).filter((name) => name.startsWith('WorkflowTask:'))).toHaveLength(2);

    const before = calls(runningWorkflow);
    const one = await apollo.query({ query: WORKFLOW_TASK_BY_TASK_ID, variables: { taskId: runningWorkflow } });
    expect((one.data as { workflowTask: Task }).workflowTask).toEqual({
      __typename: 'WorkflowTask',
      taskId: runningWorkflow,
      state: 'RUNNING',
    });
    expect(calls(runningWorkflow)).toBe(before);
  });

  it("keeps the other tasks of a list when one is NOT_FOUND, with errorPolicy 'all'", async () => {
    const apollo = client();
    const missing = 'no-such-task-apollo';
    const result = await apollo.query({ query: IMAGE_TASKS, variables: { taskIds: [finished, missing, failed] } });
    const tasks = (result.data as { imageTasks: Array<Task | null> }).imageTasks;
    expect(tasks.map((task) => task?.taskId ?? null)).toEqual([finished, null, failed]);
    expect(result.error?.name).toBe('CombinedGraphQLErrors');
    const errors = (result.error as unknown as { errors: Array<{ path: unknown; extensions: { code: unknown } }> })
      .errors;
    expect(errors.map((error) => [error.path, error.extensions.code])).toEqual([[['imageTasks', 1], 'NOT_FOUND']]);
    // The tasks that were found are in the cache like any others.
    expect(apollo.cache.identify({ __typename: 'ImageTask', id: failed })).toBe(`ImageTask:${failed}`);
    expect(Object.keys(apollo.cache.extract() as object).filter((name) => name.startsWith('ImageTask:'))).toHaveLength(
      2,
    );

    // The default policy ('none') throws the two found tasks away with the missing one.
    await expect(
      apollo.query({
        query: IMAGE_TASKS,
        variables: { taskIds: [finished, missing] },
        errorPolicy: 'none',
        fetchPolicy: 'network-only',
      }),
    ).rejects.toMatchObject({
      name: 'CombinedGraphQLErrors',
    });
  });

  it('updates a watched query from subscription events (graphql-ws over ws) as a scripted task runs to the end', async () => {
    const apollo = client();
    const taskId = 'scripted-apollo-mps-1';
    stack.emulator.scriptTask('tencent-mps', taskId);

    const seen: string[] = [];
    const watched: ObservableQuery = apollo.watchQuery({ query: WATCHED, variables: { taskIds: [taskId] } });
    const watching = watched.subscribe((result) => {
      const task = (
        result.data as
          { imageTasks?: Array<{ status: string; state: string; results: Array<{ progress: number }> }> } | undefined
      )?.imageTasks?.[0];
      if (task) seen.push(`${task.status}/${task.state}/${task.results.map((each) => each.progress).join(',')}`);
    });
    await until(() => seen.length === 1, 'the watched query');

    let events = 0;
    let completed = false;
    const subscription = apollo.subscribe({ query: UPDATES, variables: { taskId } }).subscribe({
      next: () => (events += 1),
      complete: () => (completed = true),
    });
    await until(() => events === 1, 'the first event');
    for (let step = 1; step <= 3; step += 1) {
      stack.emulator.advanceTask('tencent-mps', taskId);
      await until(() => events === step + 1, `event ${step + 1}`);
      await until(() => seen.length === step + 1, `watched result ${step + 1}`);
    }
    await until(() => completed, 'the subscription to complete');
    subscription.unsubscribe();
    watching.unsubscribe();

    // The first event equals what the query read, so it changes nothing; each later one shows.
    expect(seen).toEqual(['WAITING/PENDING/', 'PROCESSING/RUNNING/0', 'PROCESSING/RUNNING/50', 'FINISH/SUCCEEDED/100']);
    expect(Object.keys(apollo.cache.extract() as object).filter((name) => name.startsWith('ImageTask:'))).toEqual([
      `ImageTask:${taskId}`,
    ]);
  });
});
