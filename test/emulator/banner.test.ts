import { emulatorBanner } from '../../src/emulator/banner.js';
import { EMULATOR_CREDENTIALS, FAULT_KINDS, sampleTasks } from '../../src/emulator/index.js';

describe('the standalone emulator banner', () => {
  const text = emulatorBanner('http://127.0.0.1:4010');

  it('prints everything a client needs: both halves of each credential and the endpoint variables', () => {
    for (const value of [
      ...Object.values(EMULATOR_CREDENTIALS.tencent),
      ...Object.values(EMULATOR_CREDENTIALS.alibaba),
    ])
      expect(text).toContain(value);
    expect(text).toContain('MPS_ENDPOINT=http://127.0.0.1:4010 ');
    expect(text).toContain('ICE_ENDPOINT=http://127.0.0.1:4010 ');
  });

  it('lists the sample tasks with what each shows, the control routes and every fault kind', () => {
    for (const sample of sampleTasks())
      expect(text).toMatch(new RegExp(`${sample.taskId}\\s+${sample.outcome.replace(/[()]/g, '\\$&')}`));
    expect(text).toContain('http://127.0.0.1:4010/__emulator/faults');
    expect(text).toContain(`kinds: ${FAULT_KINDS.join(', ')}`);
  });

  it('lists the script and advance routes', () => {
    expect(text).toContain('POST   http://127.0.0.1:4010/__emulator/tasks/<taskId>/script');
    expect(text).toContain('POST   http://127.0.0.1:4010/__emulator/tasks/<taskId>/advance');
  });
});
