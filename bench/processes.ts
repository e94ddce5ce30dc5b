/**
 * Child processes the bench measures from the outside: the subgraph exactly as it ships
 * (`node dist/index.js`, configured through its environment) and the bare comparison
 * server. Measuring another process keeps the load generator's and the emulator's own
 * memory and CPU out of the subgraph's figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../support/free-port.js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subgraphEnvFor } from '../src/emulator/index.js';
import { onCores, type CorePlan } from './cores.js';
import { postGraphQL, postRaw } from './graphql.js';

/** The repository root: this file runs from dist/bench/bench/. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Child {
  readonly pid: number;
  readonly url: string;
  /** Resident set size now, in bytes (Linux /proc); NaN where it cannot be read. */
  rssBytes(): number;
  /** SIGTERM, then waits for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** What the child wrote to stderr, for error messages. */
  stderr(): string;
}

export { freePort };

export function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The environment that points a subgraph at the in-process emulator with its credentials. */
export function subgraphEnv(
  emulatorUrl: string,
  port: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  const emulator = subgraphEnvFor(emulatorUrl);
  return {
    PATH: process.env['PATH'] ?? '',
    ...emulator.tencent,
    ...emulator.alibaba,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    ...extra,
  };
}

/**
 * Starts `node [nodeArgs] <script>` and returns at once; use `waitUntil` for readiness. With a
 * core plan (cores.ts) the child runs on the server's cores and its log reader on the load
 * generator's.
 */
export function spawnNode(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  url: string,
  nodeArgs: readonly string[] = [],
  plan: CorePlan | null = null,
): Child {
  // The child's stdout (one log line per request) goes to a pipe read by a process of its own, as
  // a container's log collector reads it in production. Read here instead, the log bytes cost
  // this process, which is also the load generator, CPU that the measured server's peers (the
  // node:http reference, the bare servers) never take from it.
  const reader = onCores(plan?.loadGenerator, 'cat', []);
  const drain: ChildProcess = spawn(reader.command, reader.args, { stdio: ['pipe', 'ignore', 'ignore'] });
  const node = onCores(plan?.server, process.execPath, [...nodeArgs, resolve(ROOT, script), ...args]);
  const child: ChildProcess = spawn(node.command, node.args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', drain.stdin!, 'pipe'],
  });
  // The child holds its own end now; ours is closed so the drain ends when the child does.
  drain.stdin!.destroy();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  const pid = child.pid;
  return {
    pid,
    url,
    rssBytes: () => rssOf(pid),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    stderr: () => stderr,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Polls until `probe` succeeds; throws after `timeoutMs`. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 5,
): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A query that only succeeds once the subgraph listens and can reach its provider. */
export async function answersQuery(url: string, query: string, variables: Record<string, unknown>): Promise<boolean> {
  const { status, body } = await postGraphQL(url, query, variables, { timeoutMs: 2_000 });
  return status === 200 && !body.errors && body.data !== null && body.data !== undefined;
}

/** A plain node:http server in its own process answering `answer`'s exact bytes: the reference of the cached-throughput goal. */
export async function startNodeHttpReference(
  answer: { readonly text: string; readonly headers: Record<string, string> },
  plan: CorePlan | null = null,
): Promise<Child> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const args = [
    '--port',
    String(port),
    '--body',
    Buffer.from(answer.text, 'utf8').toString('base64'),
    ...Object.entries(answer.headers).flatMap(([name, value]) => ['--header', `${name}=${value}`]),
  ];
  const child = spawnNode(
    'dist/bench/bench/node-http-reference.js',
    args,
    { PATH: process.env['PATH'] ?? '' },
    url,
    [],
    plan,
  );
  await waitUntil(async () => (await postRaw(url, '{}')).text === answer.text, 30_000, 'the node:http reference');
  return child;
}
