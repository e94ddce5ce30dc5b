/**
 * The subgraph as a real process (`node dist/index.js`), for what only a process shows:
 * the start-up banner, signals, exit codes, and what happens to its stdout. The
 * environment is exactly what the test passes (plus PATH), never the test runner's own.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { subgraphEnvFor } from '../../src/emulator/index.js';

const READY = /ready at (http:\/\/\S+)/;

/** Compiles src/ to dist/ (what `npm start` runs); once per test file is enough. */
export function buildDist(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'pipe' });
}

export interface SubgraphProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far (banner and JSON log lines), while the test still reads it. */
  stdout(): string;
  stderr(): string;
  /** The JSON log lines of stdout, parsed; other lines (the banner) are skipped. */
  logLines(): Array<Record<string, unknown>>;
  /** Resolves with the exit code, or the name of the signal that killed it. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** SIGKILL if still running: for `finally` blocks. */
  kill(): void;
}

/** An empty working directory, so a developer's own `.env` never reaches a test's process. */
let emptyDir: string | undefined;
const defaultCwd = (): string => (emptyDir ??= mkdtempSync(join(tmpdir(), 'subgraph-cwd-')));

export function spawnSubgraph(env: Record<string, string>, options: { readonly cwd?: string } = {}): SubgraphProcess {
  const child = spawn(process.execPath, [resolve('dist/index.js')], {
    cwd: options.cwd ?? defaultCwd(),
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  // A test may close its end of stdout on purpose; that is not an error of the test.
  child.stdout.on('error', () => undefined);
  // The signal's name when a signal ended it, so a failing expectation says which one.
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logLines: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** The URL from the banner's "ready at" line; rejects if the process exits first. */
export function readyUrl(subgraph: SubgraphProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = READY.exec(subgraph.stdout());
      if (match?.[1]) {
        subgraph.child.stdout.off('data', check);
        resolve(match[1]);
      }
    };
    subgraph.child.stdout.on('data', check);
    check();
    void subgraph.exited.then((code) =>
      reject(new Error(`exited with ${code} before it was ready:\n${subgraph.stdout()}\n${subgraph.stderr()}`)),
    );
  });
}

/** The variables that point a subgraph process at an emulator, with the credentials it accepts, for both providers. */
export function emulatorEnv(emulatorUrl: string): Record<string, string> {
  const env = subgraphEnvFor(emulatorUrl);
  return { ...env.tencent, ...env.alibaba };
}
