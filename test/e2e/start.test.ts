/**
 * What `npm start` does on a fresh machine: build, then serve with no credentials,
 * answering from the built-in emulator; SIGTERM ends the process cleanly.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fetch from 'node-fetch';

const READY = /ready at (http:\/\/\S+)/;

function waitForUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = READY.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready:\n${output}`)));
  });
}

describe('npm start without credentials', () => {
  it('serves the subgraph from the built-in emulator and stops on SIGTERM', async () => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'pipe' });
    const child = spawn(process.execPath, ['dist/index.js'], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    try {
      const url = await waitForUrl(child);
      expect(stdout).toContain('built-in provider emulator');
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ imageTask(taskId: "24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4") { state } }' }),
      });
      expect(await response.json()).toEqual({ data: { imageTask: { state: 'UNKNOWN' } } });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
