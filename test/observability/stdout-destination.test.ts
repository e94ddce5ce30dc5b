/**
 * The log destination for stdout as a pipe (streamDestination): lines of one event-loop turn go
 * out in one write, a stalled reader cannot grow memory past LOG_BUFFER_MAX_BYTES, a failed
 * stdout is given up on once, and flush waits for what was handed to the stream. Driven through
 * real Node writable streams: one that takes each write at once, one whose reader never reads.
 */
import { Writable } from 'node:stream';
import { LOG_BUFFER_MAX_BYTES, createLogger, streamDestination } from '../../src/logger.js';

/** A stream that records each write and completes it when `release` says so (at once by default). */
function recordingStream(options: { readonly holdWrites?: boolean } = {}): {
  stream: Writable;
  writes: string[];
  release(): void;
} {
  const writes: string[] = [];
  const held: Array<() => void> = [];
  const stream = new Writable({
    decodeStrings: false,
    highWaterMark: 1024,
    write(chunk: string, _encoding, callback) {
      writes.push(chunk);
      if (options.holdWrites) held.push(() => callback());
      else callback();
    },
  });
  return { stream, writes, release: () => held.splice(0).forEach((done) => done()) };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('streamDestination (stdout as a pipe)', () => {
  it('writes the lines of one event-loop turn together, once, after the turn', async () => {
    const { stream, writes } = recordingStream();
    const logger = createLogger('info', streamDestination(stream));
    for (let i = 0; i < 50; i += 1) logger.info({ i }, 'line');
    expect(writes).toHaveLength(0);
    await turn();
    expect(writes).toHaveLength(1);
    const lines = writes[0]!
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { i: number; msg: string });
    expect(lines.map((line) => line.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    logger.info({ i: 50 }, 'line');
    await turn();
    expect(writes).toHaveLength(2);
  });

  it('drops lines past LOG_BUFFER_MAX_BYTES while the reader does not read, and writes again once it has', async () => {
    const { stream, writes, release } = recordingStream({ holdWrites: true });
    const destination = streamDestination(stream);
    const line = `${'x'.repeat(1023)}\n`;
    // Twice the bound, a turn at a time: the stream keeps what it was handed, the rest is dropped.
    for (let round = 0; round < 32; round += 1) {
      for (let i = 0; i < 1024; i += 1) destination.write(line);
      await turn();
    }
    // Held by the stream: everything handed over and not yet read, up to the bound and no further.
    expect(stream.writableLength).toBeLessThanOrEqual(LOG_BUFFER_MAX_BYTES);
    expect(stream.writableLength).toBeGreaterThan(LOG_BUFFER_MAX_BYTES - 1024 * 1024);
    // The reader catches up: what was queued goes out, and later lines are written again.
    for (let i = 0; i < 64 && stream.writableLength > 0; i += 1) {
      release();
      await turn();
    }
    expect(stream.writableLength).toBe(0);
    const before = writes.length;
    destination.write('after\n');
    await turn();
    expect(writes.slice(before)).toEqual(['after\n']);
  });

  it('gives up on the first write error: told once, later lines dropped, flush answers at once', async () => {
    const lost: Error[] = [];
    const stream = new Writable({
      write: (_chunk, _encoding, callback) => callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
    });
    const destination = streamDestination(stream, { onLost: (error) => lost.push(error) });
    destination.write('first\n');
    await turn();
    await turn();
    expect(lost.map((error) => (error as NodeJS.ErrnoException).code)).toEqual(['EPIPE']);
    destination.write('second\n');
    await turn();
    const flushed = await new Promise<string>((resolve) => destination.flush(() => resolve('flushed')));
    expect(flushed).toBe('flushed');
    expect(lost).toHaveLength(1);
  });

  it('flush writes the batch at once and calls back when the stream has taken it', async () => {
    const { stream, writes, release } = recordingStream({ holdWrites: true });
    const destination = streamDestination(stream);
    destination.write('one\n');
    let done = false;
    destination.flush(() => {
      done = true;
    });
    expect(writes).toEqual(['one\n']);
    await turn();
    expect(done).toBe(false);
    release();
    await turn();
    expect(done).toBe(true);
    // Nothing queued: flush answers at once.
    let again = false;
    destination.flush(() => {
      again = true;
    });
    expect(again).toBe(true);
  });
});
