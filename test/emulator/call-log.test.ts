import { CALL_LOG_WINDOW, startEmulator, SEED, type RunningEmulator } from '../../src/emulator/index.js';
import { alibabaRequest, fixedClock, json, send, tencentRequest } from './helpers.js';

describe('emulator call log', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ now: fixedClock });
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.resetCalls();
    emulator.clearFaults();
  });

  it('counts calls per provider, action and task', async () => {
    await send(emulator.url, tencentRequest(emulator.url, { taskId: SEED.image.waiting }));
    await send(emulator.url, tencentRequest(emulator.url, { taskId: SEED.image.waiting }));
    await send(emulator.url, tencentRequest(emulator.url, { taskId: SEED.image.processing }));
    await send(emulator.url, alibabaRequest(emulator.url, { taskId: SEED.workflow.running }));
    await send(
      emulator.url,
      alibabaRequest(emulator.url, { taskId: SEED.workflow.running, action: 'StopAIWorkflowTask' }),
    );

    expect(emulator.callCount()).toBe(5);
    expect(emulator.callCount({ provider: 'tencent-mps' })).toBe(3);
    expect(emulator.callCount({ provider: 'alibaba-ice' })).toBe(2);
    expect(emulator.callCount({ action: 'DescribeImageTaskDetail' })).toBe(3);
    expect(emulator.callCount({ action: 'GetAIWorkflowTask' })).toBe(1);
    expect(emulator.callCount({ action: 'StopAIWorkflowTask' })).toBe(1);
    expect(emulator.callCount({ taskId: SEED.image.waiting })).toBe(2);
    expect(
      emulator.callCount({ provider: 'alibaba-ice', action: 'GetAIWorkflowTask', taskId: SEED.workflow.running }),
    ).toBe(1);
    expect(emulator.callCount({ provider: 'tencent-mps', taskId: SEED.workflow.running })).toBe(0);
  });

  it('records what arrived: method, url, lowercase headers, body, outcome', async () => {
    const tencent = tencentRequest(emulator.url, { taskId: SEED.image.finishedSuccess });
    await send(emulator.url, tencent);
    await send(emulator.url, alibabaRequest(emulator.url, { taskId: 'a b', method: 'GET' }));

    const [first, second] = emulator.calls();
    expect(first).toEqual({
      provider: 'tencent-mps',
      action: 'DescribeImageTaskDetail',
      taskId: SEED.image.finishedSuccess,
      method: 'POST',
      url: '/',
      receivedAt: expect.any(Number),
      headers: expect.objectContaining({
        'content-type': 'application/json; charset=utf-8',
        'x-tc-action': 'DescribeImageTaskDetail',
        authorization: tencent.headers['Authorization'],
      }),
      body: tencent.body,
      outcome: 'ok',
    });
    expect(Object.keys(first?.headers ?? {}).every((name) => name === name.toLowerCase())).toBe(true);
    expect(second).toMatchObject({
      provider: 'alibaba-ice',
      method: 'GET',
      url: '/?TaskId=a%20b',
      taskId: 'a b',
      body: '',
      outcome: 'TaskNotExist',
    });
  });

  it('records rejected requests with the provider error code as outcome', async () => {
    const forged = tencentRequest(emulator.url);
    forged.body = '{"TaskId":"24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c5"}';
    await send(emulator.url, forged);
    const unsigned = alibabaRequest(emulator.url);
    delete unsigned.headers['Authorization'];
    await send(emulator.url, unsigned);
    await send(emulator.url, tencentRequest(emulator.url, { body: '{"TaskId":7}' }));

    expect(emulator.calls().map((call) => [call.provider, call.taskId, call.outcome])).toEqual([
      ['tencent-mps', '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c5', 'AuthFailure.SignatureFailure'],
      ['alibaba-ice', SEED.workflow.succeeded, 'IncompleteSignature'],
      ['tencent-mps', null, 'InvalidParameterValue'],
    ]);
  });

  it('routes a request by its provider headers even when the action header is missing', async () => {
    const request = tencentRequest(emulator.url);
    delete request.headers['X-TC-Action'];
    await send(emulator.url, request);
    expect(emulator.calls().map((call) => [call.provider, call.action, call.outcome])).toEqual([
      ['tencent-mps', '', 'InvalidAction'],
    ]);
  });

  it('does not log requests that belong to neither provider, or control calls', async () => {
    const stray = await send(emulator.url, { method: 'GET', path: '/', headers: {}, body: '' });
    expect(stray.status).toBe(400);
    await send(emulator.url, { method: 'GET', path: '/__emulator/health', headers: {}, body: '' });
    expect(emulator.callCount()).toBe(0);
  });

  it('hands out snapshots: editing them or logging more does not change an earlier snapshot', async () => {
    await send(emulator.url, tencentRequest(emulator.url));
    const snapshot = emulator.calls();
    (snapshot[0] as { outcome: string }).outcome = 'edited';
    await send(emulator.url, tencentRequest(emulator.url));
    expect(snapshot).toHaveLength(1);
    expect(emulator.calls().map((call) => call.outcome)).toEqual(['ok', 'ok']);
  });

  it('resetCalls empties the log', async () => {
    await send(emulator.url, alibabaRequest(emulator.url));
    emulator.resetCalls();
    expect(emulator.callCount()).toBe(0);
    expect(emulator.calls()).toEqual([]);
  });

  it('keeps counts of every call but full records of only the last CALL_LOG_WINDOW (memory stays bounded)', async () => {
    const extra = 50;
    const total = CALL_LOG_WINDOW + extra;
    // One connection at a time, as a long-running `npm start` would see them; half to one task, half to another.
    for (let i = 0; i < total; i += 1) {
      const taskId = i % 2 === 0 ? SEED.image.waiting : SEED.image.processing;
      await send(
        emulator.url,
        tencentRequest(emulator.url, { taskId, body: JSON.stringify({ TaskId: taskId, n: i }) }),
      );
    }

    expect(emulator.callCount()).toBe(total);
    expect(emulator.callCount({ provider: 'tencent-mps', action: 'DescribeImageTaskDetail' })).toBe(total);
    expect(emulator.callCount({ taskId: SEED.image.waiting })).toBe(total / 2);
    const recent = emulator.calls();
    expect(recent).toHaveLength(CALL_LOG_WINDOW);
    // The oldest calls went; the window is the newest ones, oldest first.
    expect(JSON.parse(recent[0]!.body)).toMatchObject({ n: extra });
    expect(JSON.parse(recent[recent.length - 1]!.body)).toMatchObject({ n: total - 1 });

    // The HTTP face says the same: the count is every call, the records the recent ones.
    const control = json(
      await send(emulator.url, {
        method: 'GET',
        path: '/__emulator/calls?provider=tencent-mps',
        headers: { host: new URL(emulator.url).host },
        body: '',
      }),
    );
    expect(control['count']).toBe(total);
    expect(control['calls']).toHaveLength(CALL_LOG_WINDOW);

    emulator.resetCalls();
    expect(emulator.callCount()).toBe(0);
    expect(emulator.calls()).toEqual([]);
  }, 60_000);
});
