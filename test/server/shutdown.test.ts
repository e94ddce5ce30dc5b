/** stop()'s named sequence: every step once, in order, each awaited before the next starts. */
import { shutdownSequence, shutdownSteps, type ShutdownParts } from '../../src/server/shutdown.js';

function recordingParts(delayMs: number): { parts: ShutdownParts; calls: string[] } {
  const calls: string[] = [];
  const later = (name: string) => async (): Promise<void> => {
    calls.push(`${name} started`);
    await new Promise((resolve) => setImmediate(resolve));
    calls.push(`${name} done`);
  };
  return {
    calls,
    parts: {
      markNotReady: () => calls.push('not ready'),
      delayMs,
      callbacks: { drain: later('callbacks') },
      watches: { close: () => calls.push('watches closed') },
      ws: { dispose: later('websockets') },
      apollo: { stop: later('apollo') },
    },
  };
}

describe('shutdown sequence', () => {
  it('names its steps in the order they run', () => {
    expect(shutdownSteps(recordingParts(0).parts).map((step) => step.name)).toEqual([
      'not ready',
      'delay',
      'callback subscriptions',
      'subscriptions',
      'completions sent',
      'websockets',
      'http drain',
    ]);
  });

  it('runs each part once, after the one before it has finished', async () => {
    const { parts, calls } = recordingParts(1);
    await shutdownSequence(parts)();
    expect(calls).toEqual([
      'not ready',
      'callbacks started',
      'callbacks done',
      'watches closed',
      'websockets started',
      'websockets done',
      'apollo started',
      'apollo done',
    ]);
  });
});
