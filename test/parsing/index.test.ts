import * as parsing from '../../src/parsing/index.js';

describe('parsing entry point', () => {
  it('exports the parsers the resolvers use', () => {
    for (const name of [
      'parseJsonField',
      'jsonFieldOrRaw',
      'toRfc3339Seconds',
      'durationSeconds',
      'parseImageTask',
      'parseImageInput',
      'parseImageStorage',
      'parseWorkflowTask',
      'parseWorkflowGraph',
      'parseNodeResults',
      'nodeResultIndex',
      'stripSecrets',
    ] as const) {
      expect(typeof parsing[name]).toBe('function');
    }
  });
});
