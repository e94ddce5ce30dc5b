/**
 * The Dockerfile's steps, replayed without Docker in a clean copy of the tracked files:
 * each stage in its own directory, its COPY and RUN lines executed as written (npm reads
 * npm_config_prefer_offline from the environment, so `npm ci` takes the local cache),
 * then the runtime stage's CMD started with its ENV, and its HEALTHCHECK run against it.
 * What Docker alone does (the base image, USER, cache mounts) is checked by reading the file;
 * the replay's npm uses this machine's cache in place of the mount.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fetch from 'node-fetch';
import { parseDockerfile, type Instruction, type Stage } from './dockerfile.js';
import { freePort } from '../../support/free-port.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1) as Stage;
const only = <K extends Instruction['kind']>(stage: Stage, kind: K): Extract<Instruction, { kind: K }>[] =>
  stage.instructions.filter(
    (instruction): instruction is Extract<Instruction, { kind: K }> => instruction.kind === kind,
  );

describe('the Dockerfile', () => {
  it('builds in one stage and runs production dependencies only, as a non-root user, with a health check', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'runtime']);
    expect(only(stages[0] as Stage, 'RUN').map((run) => run.command)).toEqual([
      expect.stringMatching(/^npm ci\b/),
      'npm run build',
    ]);
    // The replay runs these lines on this machine: none may touch anything outside its directory.
    expect(
      stages
        .flatMap((stage) => only(stage, 'RUN').map((run) => run.command))
        .filter((command) => /cache clean|rm -rf \/|sudo|apt-get/.test(command)),
    ).toEqual([]);
    expect(only(runtime, 'RUN').map((run) => run.command)).toEqual([expect.stringMatching(/^npm ci --omit=dev\b/)]);
    expect(only(runtime, 'COPY').filter((copy) => copy.from !== null)).toEqual([
      { kind: 'COPY', from: 'build', sources: ['/app/dist'], destination: './dist' },
    ]);
    const users = only(runtime, 'USER').map((user) => user.user);
    expect(users).toEqual(['node']);
    expect(only(runtime, 'CMD').map((cmd) => cmd.command)).toEqual([['node', 'dist/index.js']]);
    expect(only(runtime, 'HEALTHCHECK')[0]?.command.join(' ')).toContain('/health');
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe(/node:(\d+)/.exec(runtime.image)?.[1]);
  });

  describe('replayed without Docker', () => {
    const work = mkdtempSync(join(tmpdir(), 'dockerfile-replay-'));
    const context = join(work, 'context');
    const roots = new Map<string, string>();
    const envs = new Map<string, Record<string, string>>();
    const workdirs = new Map<string, string>();
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    beforeAll(() => {
      // The build context: the tracked files as they are in this checkout, nothing ignored or untracked.
      const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
        .split('\0')
        .filter(Boolean);
      for (const file of tracked) {
        if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree
        mkdirSync(dirname(join(context, file)), { recursive: true });
        cpSync(join(ROOT, file), join(context, file));
      }
      for (const stage of stages) {
        const root = join(work, 'stages', stage.name);
        roots.set(stage.name, root);
        const env: Record<string, string> = {};
        let workdir = root;
        for (const instruction of stage.instructions) {
          switch (instruction.kind) {
            case 'WORKDIR':
              workdir = join(root, instruction.path);
              mkdirSync(workdir, { recursive: true });
              break;
            case 'ENV':
              env[instruction.name] = instruction.value;
              break;
            case 'COPY': {
              for (const source of instruction.sources) {
                const from =
                  instruction.from === null ? join(context, source) : join(roots.get(instruction.from) ?? '', source);
                // Docker copies a directory's contents to the destination, and files into a destination ending in '/'.
                const target =
                  statSync(from).isDirectory() || !instruction.destination.endsWith('/')
                    ? join(workdir, instruction.destination)
                    : join(workdir, instruction.destination, source.split('/').at(-1) ?? '');
                cpSync(from, target, { recursive: true });
              }
              break;
            }
            case 'RUN':
              execFileSync('/bin/sh', ['-c', instruction.command], {
                cwd: workdir,
                env: {
                  PATH: process.env.PATH ?? '',
                  HOME: process.env.HOME ?? '/root',
                  ...env,
                  npm_config_prefer_offline: 'true',
                  npm_config_update_notifier: 'false',
                },
                stdio: 'pipe',
              });
              break;
            default:
              break;
          }
        }
        envs.set(stage.name, env);
        workdirs.set(stage.name, workdir);
      }
    }, 600_000);

    it('installs no development dependency in the runtime stage', () => {
      const modules = join(workdirs.get(runtime.name) ?? '', 'node_modules');
      expect(existsSync(join(modules, 'graphql-ws'))).toBe(true);
      for (const dev of ['typescript', 'jest', 'puppeteer-core', '@graphql-codegen/cli'])
        expect({ dev, installed: existsSync(join(modules, dev)) }).toEqual({ dev, installed: false });
      expect(existsSync(join(workdirs.get(runtime.name) ?? '', 'src'))).toBe(false);
    });

    it('starts with its CMD, answers /health, passes its HEALTHCHECK, and serves the schema and the dashboard', async () => {
      const cwd = workdirs.get(runtime.name) ?? '';
      const [command = '', ...args] = only(runtime, 'CMD')[0]?.command ?? [];
      // What `docker run -e DASHBOARD=on -e PORT=… -e HOST=…` adds to the image's ENV.
      const env = {
        PATH: process.env.PATH ?? '',
        ...envs.get(runtime.name),
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        DASHBOARD: 'on',
        LOG_LEVEL: 'warn',
      };
      const child = spawn(command, args, { cwd, env });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const check = (): void => {
            const match = /ready at (http:\/\/\S+)/.exec(out);
            if (match?.[1]) resolve(match[1]);
          };
          child.stdout.on('data', check);
          child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready:\n${out}`)));
        });
        expect((await fetch(new URL('/health', url))).status).toBe(200);

        const [probe = '', ...probeArgs] = only(runtime, 'HEALTHCHECK')[0]?.command ?? [];
        expect(() => execFileSync(probe, probeArgs, { cwd, env, stdio: 'pipe', timeout: 10_000 })).not.toThrow();

        // NODE_ENV=production from the image: no provider configured, no emulator, yet the schema answers.
        const answer = await fetch(new URL('/graphql', url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ imageTask(taskId: "x") { state } }' }),
        });
        const body = (await answer.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
        expect(body.errors?.[0]?.extensions?.code).toBe('PROVIDER_NOT_CONFIGURED');
        expect((await fetch(new URL('/dashboard/', url))).status).toBe(200);
        expect((await fetch(new URL('/dashboard/vendor/graphql-ws/client.js', url))).status).toBe(200);
      } finally {
        child.kill('SIGTERM');
      }
    }, 60_000);
  });
});
