import { imageTaskSource, workflowTaskSource } from '../../src/sources/provider-sources.js';

describe('provider sources', () => {
  it("pass the call's abort signal to the MPS client, so an attempt can be cut at the deadline", async () => {
    const signals: Array<AbortSignal | undefined> = [];
    const source = imageTaskSource({
      describeImageTaskDetail: async (_taskId, options) => {
        signals.push(options?.signal);
        return { response: { Status: 'FINISH', RequestId: 'r-1' } };
      },
    });
    const controller = new AbortController();
    const task = await source('t-1', { deadline: 1, signal: controller.signal });
    expect(signals).toEqual([controller.signal]);
    expect(task).toMatchObject({ taskId: 't-1', status: 'FINISH', terminal: true });
  });

  it("pass the call's abort signal to the ICE client", async () => {
    const signals: Array<AbortSignal | undefined> = [];
    const source = workflowTaskSource({
      getAIWorkflowTask: async (taskId, options) => {
        signals.push(options?.signal);
        return { body: { RequestId: 'r-2', WorkflowTask: { TaskId: taskId, Status: 'running' } } };
      },
    });
    const controller = new AbortController();
    const task = await source('w-1', { signal: controller.signal });
    expect(signals).toEqual([controller.signal]);
    expect(task).toMatchObject({ taskId: 'w-1', terminal: false });
  });

  it('work without a call (no deadline, no signal)', async () => {
    const source = imageTaskSource({ describeImageTaskDetail: async () => ({ response: { Status: 'PROCESSING' } }) });
    await expect(source('t-2')).resolves.toMatchObject({ terminal: false });
  });
});
