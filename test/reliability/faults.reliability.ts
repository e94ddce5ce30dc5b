/**
 * Faults in mixes under concurrent load. Every task of every request gets its own script
 * of emulator faults (latency, latency spikes past the timeout, throttling, 5xx, non-JSON
 * bodies, dropped connections, hangs), so the expected answer and the exact number of
 * provider attempts can be worked out per task and checked against what the emulator
 * received. Then the request deadline: hangs and long Retry-After under load, with
 * attempts counted against what the deadline allows rather than timed.
 */
import type { FaultKind } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import {
  BASE_ENV,
  RELIABILITY_CREDENTIALS,
  SIZES,
  answerProblem,
  inParallel,
  postGraphQL,
  seededRandom,
  type GraphQLBody,
} from './support.js';

const MIXED = `query Mixed($img: [ID!]!, $wf: [ID!]!) {
  imageTasks(taskIds: $img) { taskId state }
  workflowTasks(taskIds: $wf) { taskId state }
}`;

type Step =
  'latency' | 'spike' | 'throttle' | 'internal-error' | 'unavailable' | 'non-json' | 'drop-connection' | 'hang';
const STEPS: readonly Step[] = [
  'latency',
  'spike',
  'throttle',
  'internal-error',
  'unavailable',
  'non-json',
  'drop-connection',
  'hang',
];

/** What one failed attempt of each kind turns into (docs/errors.md); null: the attempt succeeds. */
const OUTCOME: Record<Step, { code: string; retryable: boolean } | null> = {
  latency: null,
  spike: { code: 'UPSTREAM_UNAVAILABLE', retryable: true },
  throttle: { code: 'RATE_LIMITED', retryable: true },
  'internal-error': { code: 'UPSTREAM_UNAVAILABLE', retryable: true },
  unavailable: { code: 'UPSTREAM_UNAVAILABLE', retryable: true },
  'non-json': { code: 'UPSTREAM_BAD_RESPONSE', retryable: false },
  'drop-connection': { code: 'UPSTREAM_UNAVAILABLE', retryable: true },
  hang: { code: 'UPSTREAM_UNAVAILABLE', retryable: true },
};

const MAX_ATTEMPTS = 3;
const TIMEOUT_MS = 1_000;
const SPIKE_MS = 1_500;

interface Expectation {
  readonly code: string | null;
  readonly attempts: number;
}

/** The answer and attempt count a script must produce, by the retry rules of src/upstream/retry.ts. */
function expectedOutcome(script: readonly Step[]): Expectation {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const step = script[attempt - 1];
    const failure = step === undefined ? null : OUTCOME[step];
    if (failure === null) return { code: null, attempts: attempt };
    if (!failure.retryable || attempt === MAX_ATTEMPTS) return { code: failure.code, attempts: attempt };
  }
  throw new Error('unreachable');
}

interface Totals {
  requests: number;
  tasks: number;
  faultsInjected: number;
  data: number;
  typedErrors: Record<string, number>;
  mismatches: string[];
}

function count(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** Every index of a list field is data for its id, or null with one error at that index. */
function checkList(
  body: GraphQLBody,
  field: string,
  ids: readonly string[],
  expectations: ReadonlyMap<string, Expectation>,
  totals: Totals,
): void {
  const list = body.data?.[field];
  if (!Array.isArray(list) || list.length !== ids.length) {
    totals.mismatches.push(`${field}: expected a list of ${ids.length}, got ${JSON.stringify(list)}`);
    return;
  }
  ids.forEach((taskId, index) => {
    const errors = (body.errors ?? []).filter((error) => error.path?.[0] === field && error.path?.[1] === index);
    const value = list[index] as { taskId?: string } | null;
    const expected = expectations.get(taskId)!;
    totals.tasks += 1;
    if (value !== null) {
      totals.data += 1;
      if (value.taskId !== taskId || errors.length > 0 || expected.code !== null)
        totals.mismatches.push(`${taskId}: data where ${expected.code} was due`);
    } else {
      const code = String(errors[0]?.extensions?.code);
      count(totals.typedErrors, code);
      if (errors.length !== 1 || code !== expected.code)
        totals.mismatches.push(`${taskId}: ${code} (${errors.length} errors) where ${expected.code ?? 'data'} was due`);
    }
  });
}

describe('reliability: faults', () => {
  const crashes: unknown[] = [];
  const onCrash = (error: unknown): void => void crashes.push(error);
  beforeAll(() => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
  });
  afterAll(() => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  });

  describe('mixes of every fault kind under concurrent load', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack(
        {
          ...BASE_ENV,
          UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
          UPSTREAM_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
          UPSTREAM_RETRY_BASE_DELAY_MS: '10',
          UPSTREAM_RETRY_MAX_DELAY_MS: '40',
          // Far beyond the worst script (three timeouts and two waits), so only the scripts decide.
          REQUEST_DEADLINE_MS: '10000',
          // The budget is not under test here; at 20/s the queue, not the faults, would decide.
          MPS_RATE_LIMIT_RPS: '100000',
          ICE_RATE_LIMIT_RPS: '100000',
          CACHE_MAX_ENTRIES: '0',
        },
        RELIABILITY_CREDENTIALS,
      );
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('answers every task with data or the typed error its script calls for, in exactly the attempts the retry policy allows', async () => {
      const seed = Number(process.env['RELIABILITY_SEED'] ?? Date.now() % 1_000_000);
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const expectations = new Map<string, Expectation>();
      const totals: Totals = { requests: 0, tasks: 0, faultsInjected: 0, data: 0, typedErrors: {}, mismatches: [] };
      let serial = 0;

      const newTask = (provider: 'image' | 'workflow'): string => {
        serial += 1;
        const taskId =
          provider === 'image' ? `24000089-WorkflowTask-rel${String(serial).padStart(10, '0')}` : `rel-wf-${serial}`;
        if (provider === 'image') {
          stack.emulator.putImageTask(taskId, {
            TaskType: 'WorkflowTask',
            Status: 'FINISH',
            CreateTime: '2026-05-04T08:00:00Z',
            FinishTime: '2026-05-04T08:00:05Z',
          });
        } else {
          stack.emulator.putWorkflowTask(taskId, {
            TaskId: taskId,
            Status: 'succeeded',
            CreateTime: '2026-05-04T08:00:00Z',
          });
        }
        // 0 to 4 faults: four is more than the attempts, so some scripts never reach the provider's answer.
        const script = Array.from({ length: Math.floor(random() * 5) }, () => pick(STEPS));
        for (const step of script) {
          const kind: FaultKind = step === 'spike' ? 'latency' : step;
          const latencyMs = step === 'spike' ? SPIKE_MS : step === 'latency' ? 20 : undefined;
          stack.emulator.injectFault({ taskId }, { kind, times: 1, ...(latencyMs !== undefined && { latencyMs }) });
        }
        totals.faultsInjected += script.length;
        expectations.set(taskId, expectedOutcome(script));
        return taskId;
      };

      const problems: string[] = [];
      await inParallel(SIZES.faultRequests, SIZES.faultConcurrency, async () => {
        const img = Array.from({ length: 1 + Math.floor(random() * 5) }, () => newTask('image'));
        const wf = Array.from({ length: 1 + Math.floor(random() * 5) }, () => newTask('workflow'));
        const { response, body } = await postGraphQL(stack, MIXED, { img, wf }, { timeoutMs: 30_000 });
        totals.requests += 1;
        const problem = answerProblem(response);
        if (problem) problems.push(problem);
        checkList(body, 'imageTasks', img, expectations, totals);
        checkList(body, 'workflowTasks', wf, expectations, totals);
      });

      const attemptProblems: string[] = [];
      let attempts = 0;
      for (const [taskId, expected] of expectations) {
        const calls = stack.emulator.callCount({ taskId });
        attempts += calls;
        if (calls > MAX_ATTEMPTS || calls !== expected.attempts)
          attemptProblems.push(`${taskId}: ${calls} attempts, ${expected.attempts} due`);
      }
      process.stdout.write(
        `[reliability] fault mix (seed ${seed}): ${JSON.stringify({ ...totals, attempts, mismatches: totals.mismatches.length })}\n`,
      );

      expect(problems).toEqual([]);
      expect(totals.mismatches).toEqual([]);
      expect(attemptProblems).toEqual([]);
      expect(totals.tasks).toBe(expectations.size);
      expect(crashes).toEqual([]);
      expect((await stack.request('/health')).status).toBe(200);
      expect(stack.leakedSecrets()).toEqual([]);
    });
  });

  describe('the request deadline under concurrent load', () => {
    // An attempt timeout far above loopback answer times, so a busy event loop cannot pass for a hang.
    const DEADLINE_MS = 3_000;
    const ATTEMPT_TIMEOUT_MS = 1_000;
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack(
        {
          ...BASE_ENV,
          UPSTREAM_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
          // Ten attempts allowed: only the deadline can stop a hanging task after the third.
          UPSTREAM_MAX_ATTEMPTS: '10',
          UPSTREAM_RETRY_BASE_DELAY_MS: '1',
          UPSTREAM_RETRY_MAX_DELAY_MS: '1',
          REQUEST_DEADLINE_MS: String(DEADLINE_MS),
          MPS_RATE_LIMIT_RPS: '100000',
          ICE_RATE_LIMIT_RPS: '100000',
          CACHE_MAX_ENTRIES: '0',
        },
        RELIABILITY_CREDENTIALS,
      );
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('stops retrying hanging and throttled tasks at the deadline, and answers every request', async () => {
      const hanging: string[] = [];
      const retryAfter: string[] = [];
      const requests = 40;
      const problems: string[] = [];
      const codes: Record<string, number> = {};
      await inParallel(requests, 20, async (index) => {
        const img = [
          `24000089-WorkflowTask-hang${String(index).padStart(10, '0')}`,
          `24000089-WorkflowTask-503r${String(index).padStart(10, '0')}`,
        ];
        const wf = [`rel-hang-${index}`, `rel-throttle-ra-${index}`];
        stack.emulator.injectFault({ taskId: img[0]! }, { kind: 'hang' });
        stack.emulator.injectFault({ taskId: wf[0]! }, { kind: 'hang' });
        // Retry-After longer than the deadline: the wait cannot fit, so one attempt only.
        stack.emulator.injectFault({ taskId: img[1]! }, { kind: 'unavailable', retryAfterSeconds: 5 });
        stack.emulator.injectFault({ taskId: wf[1]! }, { kind: 'throttle', retryAfterSeconds: 5 });
        hanging.push(img[0]!, wf[0]!);
        retryAfter.push(img[1]!, wf[1]!);
        // The client gives the subgraph the deadline plus generous slack; a hang fails the test here.
        const { response, body } = await postGraphQL(stack, MIXED, { img, wf }, { timeoutMs: DEADLINE_MS + 4_000 });
        const problem = answerProblem(response);
        if (problem) problems.push(problem);
        for (const field of ['imageTasks', 'workflowTasks']) expect(body.data?.[field]).toEqual([null, null]);
        for (const error of body.errors ?? [])
          count(codes, `${String(error.path?.[0])}[${String(error.path?.[1])}] ${String(error.extensions?.code)}`);
      });

      // A hanging attempt ends at its timeout or at the deadline, so no more than this many fit.
      const mostAttempts = Math.ceil(DEADLINE_MS / ATTEMPT_TIMEOUT_MS);
      const hangingAttempts = hanging.map((taskId) => stack.emulator.callCount({ taskId }));
      const retryAfterAttempts = retryAfter.map((taskId) => stack.emulator.callCount({ taskId }));
      process.stdout.write(
        `[reliability] deadline: ${JSON.stringify({ requests, hangingTasks: hanging.length, retryAfterTasks: retryAfter.length, maxHangingAttempts: Math.max(...hangingAttempts), codes })}\n`,
      );

      expect(problems).toEqual([]);
      expect(codes).toEqual({
        'imageTasks[0] UPSTREAM_UNAVAILABLE': requests,
        'imageTasks[1] UPSTREAM_UNAVAILABLE': requests,
        'workflowTasks[0] UPSTREAM_UNAVAILABLE': requests,
        'workflowTasks[1] RATE_LIMITED': requests,
      });
      for (const attempts of hangingAttempts) {
        expect(attempts).toBeGreaterThanOrEqual(1);
        expect(attempts).toBeLessThanOrEqual(mostAttempts);
      }
      expect(retryAfterAttempts).toEqual(retryAfter.map(() => 1));
      expect(crashes).toEqual([]);
      expect(stack.leakedSecrets()).toEqual([]);
    });
  });

  describe('the rate limiter queue when it overflows', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack(
        { ...BASE_ENV, MPS_RATE_LIMIT_RPS: '5', RATE_LIMIT_MAX_QUEUE: '5', CACHE_MAX_ENTRIES: '0' },
        RELIABILITY_CREDENTIALS,
      );
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('answers tasks over the budget and queue with RATE_LIMITED at once and sends the provider only the ones it answered', async () => {
      const ids = Array.from(
        { length: 40 },
        (_, index) => `24000089-WorkflowTask-rlq${String(index).padStart(10, '0')}`,
      );
      for (const taskId of ids) {
        stack.emulator.putImageTask(taskId, {
          TaskType: 'WorkflowTask',
          Status: 'FINISH',
          CreateTime: '2026-05-04T08:00:00Z',
        });
      }
      let data = 0;
      const codes: Record<string, number> = {};
      const problems: string[] = [];
      await inParallel(8, 8, async (index) => {
        const img = ids.slice(index * 5, index * 5 + 5);
        const { response, body } = await postGraphQL(stack, MIXED, { img, wf: [] }, { timeoutMs: 15_000 });
        const problem = answerProblem(response);
        if (problem) problems.push(problem);
        data += (body.data?.['imageTasks'] as unknown[]).filter((task) => task !== null).length;
        for (const error of body.errors ?? []) count(codes, String(error.extensions?.code));
      });
      const calls = stack.emulator.callCount({ provider: 'tencent-mps' });
      process.stdout.write(
        `[reliability] rate-limit queue: ${JSON.stringify({ tasks: ids.length, data, codes, providerCalls: calls })}\n`,
      );

      expect(problems).toEqual([]);
      expect(data + (codes['RATE_LIMITED'] ?? 0)).toBe(ids.length);
      expect(Object.keys(codes).filter((code) => code !== 'RATE_LIMITED')).toEqual([]);
      expect(codes['RATE_LIMITED']).toBeGreaterThan(0);
      // Refused locally means never sent: the provider saw exactly the calls that brought data.
      expect(calls).toBe(data);
      expect(crashes).toEqual([]);
      expect(stack.leakedSecrets()).toEqual([]);
    });
  });
});
