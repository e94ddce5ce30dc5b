/** Change detection: what the provider reports, in any key order, minus its per-answer request id. */
import { taskFingerprint } from '../../src/subscriptions/fingerprint.js';

describe('task fingerprint', () => {
  const task = {
    taskId: 't',
    state: 'RUNNING',
    requestId: 'a',
    results: [{ progress: 10, output: null }],
    graph: new Map([
      ['b', 1],
      ['a', 2],
    ]),
  };

  it('ignores the request id the provider mints per answer, and key order', () => {
    const reordered = {
      results: [{ output: null, progress: 10 }],
      graph: new Map([
        ['a', 2],
        ['b', 1],
      ]),
      requestId: 'b',
      state: 'RUNNING',
      taskId: 't',
    };
    expect(taskFingerprint(reordered)).toBe(taskFingerprint(task));
  });

  it.each([
    ['the state', { ...task, state: 'SUCCEEDED' }],
    ['a progress', { ...task, results: [{ progress: 11, output: null }] }],
    [
      'a nested map value',
      {
        ...task,
        graph: new Map([
          ['b', 1],
          ['a', 3],
        ]),
      },
    ],
    ['a field appearing', { ...task, finishTime: '2026-05-04T08:00:00Z' }],
  ])('changes with %s', (_what, changed) => {
    expect(taskFingerprint(changed)).not.toBe(taskFingerprint(task));
  });

  it('keeps a nested requestId: only the per-answer one at the top is left out', () => {
    expect(taskFingerprint({ ...task, results: [{ progress: 10, output: null, requestId: 'x' }] })).not.toBe(
      taskFingerprint(task),
    );
  });
});
