import { createTaskLoader, createTaskLoaders, type TaskSources } from '../../src/loaders/task-loaders.js';
import type { ImageTaskModel, WorkflowTaskModel } from '../../src/parsing/models.js';
import type { CallTally, TaskCall } from '../../src/sources/task-source.js';

/** A source that records calls and settles each one a few event-loop turns later. */
function countingSource() {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const source = async (taskId: string): Promise<string> => {
    calls.push(taskId);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    inFlight -= 1;
    if (taskId.startsWith('bad')) throw new Error(`no such task ${taskId}`);
    return `task:${taskId}`;
  };
  return { source, calls, maxInFlight: () => maxInFlight };
}

describe('task loader', () => {
  it('makes one upstream call per distinct id, however often each is asked for', async () => {
    const { source, calls } = countingSource();
    const loader = createTaskLoader(source, { concurrency: 16, maxBatchSize: 100 });
    const ids = ['a', 'b', 'a', 'c', 'b', 'a'];
    const results = Promise.all(ids.map((id) => loader.load(id)));
    expect(await results).toEqual(ids.map((id) => `task:${id}`));
    expect(calls.sort()).toEqual(['a', 'b', 'c']);
  });

  it("starts none of the lookups still queued behind the concurrency limit once the request's signal aborts", async () => {
    const { source, calls } = countingSource();
    const controller = new AbortController();
    const loader = createTaskLoader(
      source,
      { concurrency: 2, maxBatchSize: 100 },
      { signal: controller.signal },
      'tencent-mps',
    );
    const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const results = loader.loadMany(ids);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(2);
    controller.abort();
    const settled = await results;
    expect(calls).toHaveLength(2);
    expect(settled.slice(2)).toEqual(
      Array.from({ length: 8 }, () =>
        expect.objectContaining({ kind: 'UPSTREAM_UNAVAILABLE', provider: 'tencent-mps', retryable: false }),
      ),
    );
  });

  it('never has more calls in flight than its concurrency limit, across split batches', async () => {
    const { source, calls, maxInFlight } = countingSource();
    const loader = createTaskLoader(source, { concurrency: 3, maxBatchSize: 4 });
    const ids = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const results = loader.loadMany(ids);
    expect(await results).toHaveLength(20);
    expect(calls).toHaveLength(20);
    expect(maxInFlight()).toBe(3);
  });

  it("hands the request's deadline to every source call", async () => {
    const seen: Array<number | undefined> = [];
    const source = async (taskId: string, call?: { deadline?: number }): Promise<string> => {
      seen.push(call?.deadline);
      return taskId;
    };
    const loader = createTaskLoader(source, { concurrency: 2, maxBatchSize: 2 }, { deadline: 12_345 });
    await loader.loadMany(['a', 'b', 'c']);
    expect(seen).toEqual([12_345, 12_345, 12_345]);
  });

  it("hands the request's tally, the same object, to every source call", async () => {
    const seen: Array<CallTally | undefined> = [];
    const source = async (taskId: string, call?: TaskCall): Promise<string> => {
      seen.push(call?.tally);
      return taskId;
    };
    const tally: CallTally = { upstreamCalls: 0, cacheHits: 0, cacheMisses: 0, inFlightShared: 0, retries: 0 };
    const loader = createTaskLoader(source, { concurrency: 2, maxBatchSize: 2 }, { deadline: 12_345, tally });
    await loader.loadMany(['a', 'b', 'c']);
    expect(seen).toHaveLength(3);
    expect(seen.every((each) => each === tally)).toBe(true);
  });

  it('fails only the id that failed, not its neighbours in the batch', async () => {
    const { source } = countingSource();
    const loader = createTaskLoader(source, { concurrency: 16, maxBatchSize: 100 });
    const results = Promise.allSettled([loader.load('a'), loader.load('bad1'), loader.load('b')]);
    const [a, bad, b] = await results;
    expect(a).toEqual({ status: 'fulfilled', value: 'task:a' });
    expect(b).toEqual({ status: 'fulfilled', value: 'task:b' });
    expect(bad?.status).toBe('rejected');
    expect(bad?.status === 'rejected' && (bad.reason as Error).message).toBe('no such task bad1');
  });
});

describe('task loaders of one request', () => {
  /** Sources that record when a loader picks them up, which it does as it is made. */
  function recordingSources() {
    const made: string[] = [];
    const calls: string[] = [];
    const answer = async (taskId: string): Promise<ImageTaskModel & WorkflowTaskModel> => {
      calls.push(taskId);
      // Loaders hand values on untouched, so a stand-in for the model is enough here.
      return { taskId } as unknown as ImageTaskModel & WorkflowTaskModel;
    };
    const sources: TaskSources = {
      get imageTask() {
        made.push('imageTask');
        return answer;
      },
      get workflowTask() {
        made.push('workflowTask');
        return answer;
      },
    };
    return { sources, made, calls };
  }

  it('makes no loader until a resolver asks for one, and only the one it asks for', () => {
    const { sources, made } = recordingSources();
    const loaders = createTaskLoaders(sources, { concurrency: 4, maxBatchSize: 10 });
    expect(made).toEqual([]);
    void loaders.workflowTask;
    expect(made).toEqual(['workflowTask']);
  });

  it('gives every resolver of the request the same loader, so lookups still batch and de-duplicate', async () => {
    const { sources, made, calls } = recordingSources();
    const loaders = createTaskLoaders(sources, { concurrency: 4, maxBatchSize: 10 });
    expect(loaders.imageTask).toBe(loaders.imageTask);
    await Promise.all([loaders.imageTask.load('a'), loaders.imageTask.load('b'), loaders.imageTask.load('a')]);
    expect(calls.sort()).toEqual(['a', 'b']);
    expect(made).toEqual(['imageTask']);
  });
});
