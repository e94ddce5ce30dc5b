/**
 * Structured JSON logs. Anything that could carry a credential is redacted by path,
 * so a careless `logger.info({ config })` still cannot print a secret key.
 */
import { fstatSync } from 'node:fs';
import { pino, type Logger, type DestinationStream } from 'pino';

export const REDACTED_PATHS = [
  '*.secretKey',
  '*.accessKeySecret',
  '*.sessionToken',
  '*.securityToken',
  '*.credentials',
  'credentials',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-tc-token"]',
  'headers["x-acs-security-token"]',
  'headers["router-authorization"]',
];

export interface LoggerOptions {
  /** Further lower-case header names to redact, e.g. a configured SUBGRAPH_SHARED_SECRET_HEADER. */
  readonly redactHeaders?: readonly string[];
}

export function createLogger(level: string, destination?: DestinationStream, extra: LoggerOptions = {}): Logger {
  const headerPaths = (extra.redactHeaders ?? []).flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]);
  const paths = [...new Set([...REDACTED_PATHS, ...headerPaths])];
  const options = { level, base: { service: 'media-task-subgraph' }, redact: { paths, censor: '[redacted]' } };
  return pino(options, destination ?? stdoutDestination());
}

export interface StdoutDestinationOptions {
  /** Told once, when stdout fails and logs start being dropped (index.ts says so on stderr). */
  readonly onLost?: (error: Error) => void;
}

/** What pino needs of a destination to flush it (logger.flush) and at exit. */
export interface FlushableDestination extends DestinationStream {
  flush(cb?: (error?: Error) => void): void;
  flushSync(): void;
}

/** Log bytes (characters, for a pipe) waiting for stdout, at most; see stdoutDestination. */
export const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Where the process's log lines go. A log destination that goes away must never stop the
 * service: when stdout's reader exits (`npm start | head`, a dead log shipper) writes fail with
 * EPIPE, and on the first write error of any kind the destination gives up: every later line is
 * dropped, flush answers at once, and nothing retries. A broken stdout does not come back. A
 * reader that stalls is bounded too: past LOG_BUFFER_MAX_BYTES queued, lines are dropped rather
 * than held in memory without limit.
 *
 * stdout is usually a pipe (a container's log collector, `npm start | ...`): then lines go through
 * process.stdout, see streamDestination. A file or a terminal gets sonic-boom, see fileDestination.
 */
export function stdoutDestination(options: StdoutDestinationOptions = {}): FlushableDestination {
  if (!stdoutIsPipe()) return fileDestination(options);
  const destination = streamDestination(process.stdout, options);
  // Lines still batched when the process exits (an uncaught error, process.exit elsewhere) are
  // handed to the pipe, which takes them at once unless it is full.
  process.once('exit', () => destination.flushSync());
  return destination;
}

function stdoutIsPipe(): boolean {
  try {
    const stat = fstatSync(1);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

/** The parts of a Node writable stream (process.stdout) streamDestination uses. */
export interface LogStream {
  write(text: string, callback: (error?: Error | null) => void): boolean;
  readonly writableLength: number;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Log lines through a Node stream, for stdout as a pipe or socket. The lines of one event-loop
 * turn are joined and written once, at the end of the turn (in an immediate): under load that
 * is one write for the many answers a turn sends. process.stdout writes a pipe from the main
 * thread, at once while the pipe has room, queueing in memory (and waiting for the pipe to
 * drain) when it is full. sonic-boom, by contrast, hands every write to libuv's thread pool,
 * and those hand-offs and wake-ups cost an edge-cache hit as much again as the line itself
 * (docs/BENCHMARKS.md, measurement 4).
 */
export function streamDestination(
  stream: LogStream,
  options: StdoutDestinationOptions = {},
  schedule: (flush: () => void) => void = setImmediate,
): FlushableDestination {
  let batch = '';
  let scheduled = false;
  let lost = false;
  let writesInFlight = 0;
  let flushed: Array<() => void> = [];
  const settle = (): void => {
    const waiting = flushed;
    flushed = [];
    for (const done of waiting) done();
  };
  const afterWrite = (): void => {
    writesInFlight -= 1;
    if (writesInFlight === 0) settle();
  };
  stream.on('error', (error) => {
    if (lost) return;
    lost = true;
    batch = '';
    options.onLost?.(error);
    settle();
  });
  const writeBatch = (): void => {
    scheduled = false;
    if (lost || batch === '') return;
    const text = batch;
    batch = '';
    writesInFlight += 1;
    stream.write(text, afterWrite);
  };
  return {
    write: (line) => {
      if (lost || stream.writableLength + batch.length + line.length > LOG_BUFFER_MAX_BYTES) return;
      batch += line;
      if (!scheduled) {
        scheduled = true;
        schedule(writeBatch);
      }
    },
    flush: (cb) => {
      writeBatch();
      if (lost || writesInFlight === 0) cb?.();
      else flushed.push(() => cb?.());
    },
    flushSync: writeBatch,
  };
}

/**
 * Asynchronous writes through sonic-boom, for stdout as a file or terminal: lines queued while a
 * write is in flight go out in one syscall; idle, a line is written at once.
 *
 * On a failed write sonic-boom emits an error, and its flushSync, which pino calls from its exit
 * hook, retries a failed write forever (only EAGAIN is meant to be retried), blocking the event
 * loop: no request, no probe and no SIGTERM handler would run again. Hence giving up is done on
 * the sonic-boom instance itself.
 */
function fileDestination(options: StdoutDestinationOptions): FlushableDestination {
  // Bounded: when stdout drains slower than lines are written (a stalled reader, a full pipe), lines
  // past this many queued bytes are dropped rather than held in memory without limit.
  const sonic = pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_MAX_BYTES });
  let lost = false;
  sonic.on('error', (error: Error) => {
    if (lost) return;
    lost = true;
    // Replaced on the instance, the way pino's own EPIPE filter does, because pino's exit hook
    // holds the sonic-boom instance itself, not this wrapper.
    sonic.write = () => true;
    sonic.flushSync = () => undefined;
    sonic.end = () => undefined;
    options.onLost?.(error);
  });
  return {
    write: (line) => {
      if (!lost) sonic.write(line);
    },
    // pino's logger.flush(cb) calls this; a lost stdout has nothing left to flush.
    flush: (cb) => {
      if (lost) cb?.();
      else sonic.flush(cb);
    },
    flushSync: () => {
      if (!lost) sonic.flushSync();
    },
  };
}
