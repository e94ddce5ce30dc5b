/** Scripted task progressions: what the provider answers moves on only when told, or every N calls. */
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { alibabaRequest, fixedClock, json, send, tencentRequest, tencentResponse } from './helpers.js';

describe('emulator task scripts', () => {
  let emulator: RunningEmulator;
  const control = (path: string, body: unknown) =>
    send(emulator.url, {
      method: 'POST',
      path: `/__emulator/${path}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const mpsStatus = async (taskId: string) => {
    const response = tencentResponse(await send(emulator.url, tencentRequest(emulator.url, { taskId })));
    const results = response['ImageProcessTaskResultSet'] as Array<{ Progress: number }>;
    return `${String(response['Status'])}:${results.map((result) => result.Progress).join(',')}`;
  };
  const iceStatus = async (taskId: string) => {
    const task = json(await send(emulator.url, alibabaRequest(emulator.url, { taskId })))['WorkflowTask'] as Record<
      string,
      unknown
    >;
    return `${String(task['Status'])}:${task['NodeResults'] === undefined ? 'none' : 'some'}:${String(task['TaskId'])}`;
  };

  beforeAll(async () => {
    emulator = await startEmulator({ now: fixedClock });
  });
  afterAll(() => emulator.close());

  it('walks the MPS progression WAITING → PROCESSING 0 → 50 → FINISH one step per advance, over HTTP', async () => {
    expect(json(await control('tasks/scripted-mps-1/script', { provider: 'tencent-mps' }))).toEqual({
      step: 0,
      steps: 4,
    });
    expect(await mpsStatus('scripted-mps-1')).toBe('WAITING:');
    expect(await mpsStatus('scripted-mps-1')).toBe('WAITING:');
    expect(json(await control('tasks/scripted-mps-1/advance', { provider: 'tencent-mps' }))).toEqual({
      step: 1,
      steps: 4,
    });
    expect(await mpsStatus('scripted-mps-1')).toBe('PROCESSING:0');
    emulator.advanceTask('tencent-mps', 'scripted-mps-1');
    expect(await mpsStatus('scripted-mps-1')).toBe('PROCESSING:50');
    emulator.advanceTask('tencent-mps', 'scripted-mps-1');
    expect(await mpsStatus('scripted-mps-1')).toBe('FINISH:100');
    expect(emulator.advanceTask('tencent-mps', 'scripted-mps-1')).toEqual({ step: 3, steps: 4 });
    expect(await mpsStatus('scripted-mps-1')).toBe('FINISH:100');
  });

  it('walks the ICE progression running → running with node results → succeeded, by calls', async () => {
    emulator.scriptTask('alibaba-ice', 'scripted-ice-1', undefined, { advanceEveryCalls: 2 });
    const seen = [];
    for (let call = 0; call < 7; call += 1) seen.push(await iceStatus('scripted-ice-1'));
    expect(seen).toEqual([
      'running:none:scripted-ice-1',
      'running:none:scripted-ice-1',
      'running:some:scripted-ice-1',
      'running:some:scripted-ice-1',
      'succeeded:some:scripted-ice-1',
      'succeeded:some:scripted-ice-1',
      'succeeded:some:scripted-ice-1',
    ]);
  });

  it('answers custom steps, and refuses bad script requests', async () => {
    emulator.scriptTask('tencent-mps', 'scripted-mps-2', [
      { Status: 'WAITING', ImageProcessTaskResultSet: [] },
      { Status: 'FINISH', ImageProcessTaskResultSet: [] },
    ]);
    expect(await mpsStatus('scripted-mps-2')).toBe('WAITING:');
    expect((await control('tasks/nope/advance', { provider: 'tencent-mps' })).status).toBe(404);
    expect((await control('tasks/x/script', { provider: 'aws' })).status).toBe(400);
    expect((await control('tasks/x/script', { provider: 'tencent-mps', steps: [] })).status).toBe(400);
    expect((await control('tasks/x/script', { provider: 'tencent-mps', advanceEveryCalls: 0 })).status).toBe(400);
  });
});
