/**
 * The transports against an untrusted caller (issue 19): a callback flood (URLs outside the
 * allowed prefixes, 1 ms heartbeats, redirects, targets that refuse or hang, then shutdown with
 * receivers that never answer `complete`), a WebSocket flood past the connection and subscription
 * caps, and sockets that never read what they asked for. Counts are asserted; durations and
 * memory are printed as figures for docs/RELIABILITY.md, never asserted.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { startHttpTarget, type TargetAnswer, type TargetRequest } from '../support/http-target.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { until, wsUrl } from '../support/ws-client.js';
import { AUTH_HEADERS, BASE_ENV, RELIABILITY_CREDENTIALS, answerProblem, inParallel, post } from './support.js';

const SUBSCRIPTION = 'subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { taskId state } }';
const SCHEMA_15 = `{ ${Array.from({ length: 15 }, (_, i) => `s${i}: __schema { types { name description fields { name description args { name description } } } }`).join(' ')} }`;
const MIB = 1024 * 1024;

async function refusals(stack: TestStack): Promise<Record<string, number>> {
  const text = (await stack.request('/metrics', { headers: AUTH_HEADERS })).text;
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^http_requests_refused_total\{reason="([a-z_]+)"\} (\d+)/gm))
    counts[match[1]!] = Number(match[2]);
  return counts;
}

function memory(): { rssMiB: number; heapMiB: number } {
  global.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMiB: Math.round(rss / MIB), heapMiB: Math.round(heapUsed / MIB) };
}

describe('reliability: transport abuse', () => {
  // A message that could not be written to a socket gone away is no internal error on stderr.
  const printed: unknown[][] = [];
  const printError = console.error;
  beforeAll(() => {
    console.error = (...args: unknown[]) => printed.push(args);
  });
  afterAll(() => {
    console.error = printError;
    expect(printed.map((args) => String(args[0]))).toEqual([]);
  });

  it('a callback flood: nothing outside the prefixes is called, heartbeats stay at the floor, and shutdown ends within its grace', async () => {
    const elsewhere = await startHttpTarget(() => ({ status: 200 }));
    const router = await startHttpTarget((request: TargetRequest): TargetAnswer => {
      const how = /^\/callback\/([a-z]+)/.exec(request.path)?.[1] ?? '';
      const action = (JSON.parse(request.body || '{}') as { action?: string }).action;
      if (how === 'redirect') return { status: 307, headers: { location: `${elsewhere.url}/internal-admin/x` } };
      if (how === 'forbidden') return { status: 403 };
      if (how === 'hangs') return 'hang';
      if (how === 'nocomplete' && action === 'complete') return 'hang';
      return { status: action === 'check' ? 204 : 200 };
    });
    const stack: TestStack = await startTestStack(
      {
        ...BASE_ENV,
        SUBSCRIPTION_CALLBACK_URLS: `${router.url}/callback`,
        SUBSCRIPTION_CALLBACK_TIMEOUT_MS: '1000',
        SUBSCRIPTION_WAITING_INTERVAL_MS: '1000',
      },
      RELIABILITY_CREDENTIALS,
    );
    try {
      stack.emulator.scriptTask('tencent-mps', 'callback-flood');
      const kinds = [
        'outside',
        'internal',
        'data',
        'negative',
        'object',
        'redirect',
        'forbidden',
        'hangs',
        'fast',
        'nocomplete',
      ] as const;
      const perKind = 20;
      const byStatus: Record<string, number> = {};
      const byCode: Record<string, number> = {};
      const problems: string[] = [];
      const extension = (kind: (typeof kinds)[number], n: number): Record<string, unknown> => {
        const id = `${kind}-${n}`;
        const base = {
          subscriptionId: id,
          verifier: `v-${id}`,
          heartbeatIntervalMs: 0,
          callbackUrl: `${router.url}/callback/${id}`,
        };
        if (kind === 'outside') return { ...base, callbackUrl: `${elsewhere.url}/callback/${id}` };
        if (kind === 'internal') return { ...base, callbackUrl: `${router.url}/internal-admin/${id}` };
        if (kind === 'data') return { ...base, callbackUrl: 'data:application/json,{}' };
        if (kind === 'negative') return { ...base, heartbeatIntervalMs: -5 };
        if (kind === 'object') return { ...base, callbackUrl: { href: base.callbackUrl } };
        if (kind === 'fast') return { ...base, heartbeatIntervalMs: 1 };
        return base;
      };
      const jobs = kinds.flatMap((kind) => Array.from({ length: perKind }, (_, n) => ({ kind, n })));
      await inParallel(jobs.length, 20, async (index) => {
        const { kind, n } = jobs[index]!;
        const response = await post(
          stack,
          JSON.stringify({
            query: SUBSCRIPTION,
            variables: { id: 'callback-flood' },
            extensions: { subscription: extension(kind, n) },
          }),
          { path: '/graphql', headers: { accept: 'application/json;callbackSpec=1.0' }, timeoutMs: 15_000 },
        );
        byStatus[response.status] = (byStatus[response.status] ?? 0) + 1;
        // A callback subscription is answered `{"data":null}`, as the protocol says.
        const problem =
          response.status === 200 && JSON.stringify(JSON.parse(response.text)) === '{"data":null}'
            ? null
            : answerProblem(response);
        if (problem) problems.push(`${kind}: ${problem}`);
        for (const error of (JSON.parse(response.text) as { errors?: Array<{ extensions?: { code?: string } }> })
          .errors ?? []) {
          const code = String(error.extensions?.code);
          byCode[code] = (byCode[code] ?? 0) + 1;
        }
      });
      // Five seconds of heartbeats from the 1 ms subscriptions (once 8,066 POSTs in 10 s for one of them).
      const fastChecks = () =>
        router.requests.filter(
          (request) => request.path.startsWith('/callback/fast-') && request.body.includes('"check"'),
        ).length;
      const before = fastChecks();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const heartbeatsIn5s = fastChecks() - before;
      await until(
        () =>
          router.requests.filter(
            (request) => request.path.startsWith('/callback/nocomplete-') && request.body.includes('"next"'),
          ).length === perKind,
        'the first next of each',
        30_000,
      );
      const refused = await refusals(stack);
      const stopStarted = performance.now();
      await stack.app.stop();
      const stopMs = Math.round(performance.now() - stopStarted);
      const figures = {
        requests: jobs.length,
        byStatus,
        byCode,
        requestsOutsidePrefixes:
          elsewhere.requests.length +
          router.requests.filter((request) => !request.path.startsWith('/callback/')).length,
        fastSubscriptions: perKind,
        heartbeatsIn5s,
        hangingCheckAttempts: router.requests.filter((request) => request.path.startsWith('/callback/hangs-')).length,
        completeAttemptsAtShutdown: router.requests.filter(
          (request) => request.path.startsWith('/callback/nocomplete-') && request.body.includes('"complete"'),
        ).length,
        completeAttemptsLeftOpen: router.requests.filter(
          (request) =>
            request.body.includes('"complete"') &&
            !request.abandoned &&
            request.path.startsWith('/callback/nocomplete-'),
        ).length,
        stopMs,
        refusals: refused,
        problems: problems.slice(0, 5),
      };
      process.stdout.write(`[reliability] callback flood: ${JSON.stringify(figures)}\n`);
      expect(problems).toEqual([]);
      expect(figures.requestsOutsidePrefixes).toBe(0);
      expect(byCode).toEqual({
        CALLBACK_NOT_ALLOWED: 2 * perKind + perKind,
        BAD_USER_INPUT: 2 * perKind,
        CALLBACK_CHECK_FAILED: 3 * perKind,
      });
      // At most one heartbeat a second each, and never a burst.
      expect(heartbeatsIn5s).toBeLessThanOrEqual(perKind * 6);
      expect(figures.hangingCheckAttempts).toBe(perKind * 3);
      expect(figures.completeAttemptsLeftOpen).toBe(0);
    } finally {
      await stack.stop();
      await router.close();
      await elsewhere.close();
    }
  });

  it('a WebSocket flood: connections and subscriptions stop at their caps, every refusal typed', async () => {
    const maxConnections = 200;
    const maxActive = 1_000;
    const stack = await startTestStack(
      {
        ...BASE_ENV,
        WEBSOCKET_MAX_CONNECTIONS: String(maxConnections),
        SUBSCRIPTION_MAX_ACTIVE: String(maxActive),
        SUBSCRIPTION_WAITING_INTERVAL_MS: '5000',
      },
      RELIABILITY_CREDENTIALS,
    );
    const sockets: WebSocket[] = [];
    try {
      const tasks = Array.from({ length: 10 }, (_, i) => `ws-flood-${i}`);
      for (const id of tasks) stack.emulator.scriptTask('tencent-mps', id);
      const before = memory();
      const attempted = 300;
      const perSocket = 10;
      const upgrades: Record<string, number> = {};
      const messages: Record<string, number> = {};
      await inParallel(attempted, 20, async () => {
        const socket = new WebSocket(wsUrl(stack.url), 'graphql-transport-ws', { headers: AUTH_HEADERS });
        const outcome = await new Promise<string>((resolve) => {
          socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
          socket.once('message', () => resolve('101'));
          socket.once('unexpected-response', (_request, response) => {
            response.resume();
            resolve(String(response.statusCode));
          });
          socket.once('error', () => resolve('error'));
        });
        upgrades[outcome] = (upgrades[outcome] ?? 0) + 1;
        if (outcome !== '101') return;
        sockets.push(socket);
        socket.on('message', (data: Buffer) => {
          const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: unknown };
          const code =
            message.type === 'next'
              ? ((message.payload as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions
                  ?.code ?? 'next')
              : message.type === 'error'
                ? ((message.payload as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code ?? 'error')
                : message.type;
          messages[code] = (messages[code] ?? 0) + 1;
        });
        for (let n = 0; n < perSocket; n += 1) {
          socket.send(
            JSON.stringify({
              id: String(n),
              type: 'subscribe',
              payload: { query: SUBSCRIPTION, variables: { id: tasks[n % tasks.length] } },
            }),
          );
        }
      });
      const expectedAnswers = Math.min(attempted, maxConnections) * perSocket;
      await until(
        () => (messages['next'] ?? 0) + (messages['SUBSCRIPTION_LIMIT'] ?? 0) >= expectedAnswers,
        'an answer to every subscription',
        60_000,
      );
      const during = memory();
      const figures = {
        connectionsAttempted: attempted,
        upgrades,
        subscriptionsAttempted: Math.min(attempted, maxConnections) * perSocket,
        messages,
        memoryBefore: before,
        memoryDuring: during,
        refusals: await refusals(stack),
      };
      process.stdout.write(`[reliability] websocket flood: ${JSON.stringify(figures)}\n`);
      expect(upgrades).toEqual({ '101': maxConnections, '503': attempted - maxConnections });
      expect(messages['next']).toBe(maxActive);
      expect(messages['SUBSCRIPTION_LIMIT']).toBe(maxConnections * perSocket - maxActive);
      expect((await stack.request('/health')).status).toBe(200);
    } finally {
      for (const socket of sockets) socket.terminate();
      await stack.stop();
    }
  });

  it('sockets that never read: each closed past its bound, and the process keeps answering', async () => {
    const stack = await startTestStack({ ...BASE_ENV }, RELIABILITY_CREDENTIALS);
    const sockets: WebSocket[] = [];
    try {
      const readers = 60;
      const queriesEach = 100;
      const before = memory();
      let peakRssMiB = before.rssMiB;
      const sampler = setInterval(() => {
        peakRssMiB = Math.max(peakRssMiB, Math.round(process.memoryUsage().rss / MIB));
      }, 100);
      let sent = 0;
      const closes: Record<string, number> = {};
      await inParallel(readers, 20, async () => {
        const socket = new WebSocket(wsUrl(stack.url), 'graphql-transport-ws', { headers: AUTH_HEADERS });
        sockets.push(socket);
        await new Promise<void>((resolve) => {
          socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
          socket.once('message', () => resolve());
        });
        socket.once('close', (code) => {
          closes[code] = (closes[code] ?? 0) + 1;
        });
        (socket as unknown as { _socket: Socket })._socket.pause();
        for (let n = 0; n < queriesEach && socket.readyState === socket.OPEN; n += 1) {
          socket.send(JSON.stringify({ id: String(n), type: 'subscribe', payload: { query: SCHEMA_15 } }));
          sent += 1;
        }
      });
      // While the readers hold their sockets: a trivial query, one after another.
      const trivial: Array<{ status: number; ms: number }> = [];
      let attackOver = false;
      const asking = (async () => {
        while (!attackOver) {
          const started = performance.now();
          const { status } = await stack.request('/health');
          trivial.push({ status, ms: performance.now() - started });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      await until(
        async () => ((await refusals(stack))['websocket_slow_reader'] ?? 0) === readers,
        'every slow reader closed',
        // A safety net: each reader is closed WEBSOCKET_READ_TIMEOUT_MS (10 s) after its allowance was sent.
        120_000,
      );
      attackOver = true;
      await asking;
      const workedOut = stack.logLines.filter(
        (line) => line.includes('"transport":"websocket"') && line.includes('graphql operation ended'),
      ).length;
      for (const socket of sockets) (socket as unknown as { _socket: Socket })._socket.resume();
      await until(
        () => Object.values(closes).reduce((sum, count) => sum + count, 0) === readers,
        'every socket closed',
        30_000,
      );
      clearInterval(sampler);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const settled = memory();
      const figures = {
        readers,
        queriesSent: sent,
        closes,
        memoryBefore: before,
        peakRssMiB,
        memorySettled: settled,
        queriesWorkedOut: workedOut,
        healthAnswers: trivial.filter(({ status }) => status === 200).length,
        healthP50Ms: Math.round(trivial.map(({ ms }) => ms).sort((a, b) => a - b)[Math.floor(trivial.length / 2)] ?? 0),
        refusals: await refusals(stack),
      };
      process.stdout.write(`[reliability] slow readers: ${JSON.stringify(figures)}\n`);
      expect((await refusals(stack))['websocket_slow_reader']).toBe(readers);
      expect(trivial.length).toBeGreaterThan(0);
      expect(trivial.every(({ status }) => status === 200)).toBe(true);
      // One answer is 431 KB: each reader gets what passes its 1 MiB allowance (3), never what the kernel takes in.
      expect(workedOut).toBeLessThanOrEqual(readers * 4);
    } finally {
      for (const socket of sockets) socket.terminate();
      await stack.stop();
    }
  });
});
