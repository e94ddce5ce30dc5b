import { startEmulator, SEED, type RunningEmulator } from '../../src/emulator/index.js';
import {
  alibabaRequest,
  errorCode,
  fixedClock,
  json,
  send,
  tencentRequest,
  tencentResponse,
  waitForCalls,
} from './helpers.js';

describe('emulator fault injection', () => {
  let emulator: RunningEmulator;
  const tencent = (taskId: string = SEED.image.finishedSuccess) =>
    send(emulator.url, tencentRequest(emulator.url, { taskId }));
  const alibaba = (taskId: string = SEED.workflow.succeeded) =>
    send(emulator.url, alibabaRequest(emulator.url, { taskId }));

  beforeAll(async () => {
    emulator = await startEmulator({ now: fixedClock });
  });
  afterAll(() => emulator.close());
  afterEach(() => {
    emulator.clearFaults();
    emulator.resetCalls();
  });

  describe('latency', () => {
    it('delays, then answers normally and logs the real outcome', async () => {
      emulator.injectFault({}, { kind: 'latency', latencyMs: 20 });
      const response = await tencent();
      expect(tencentResponse(response)['Status']).toBe('FINISH');
      expect(emulator.calls().map((call) => call.outcome)).toEqual(['ok']);
    });

    it('still verifies the signature after the delay', async () => {
      emulator.injectFault({}, { kind: 'latency', latencyMs: 5 });
      const request = alibabaRequest(emulator.url);
      request.headers['x-acs-signature-nonce'] = 'changed-after-signing';
      expect(errorCode(await send(emulator.url, request))).toBe('SignatureDoesNotMatch');
    });
  });

  describe('throttle', () => {
    it('Tencent: RequestLimitExceeded inside the HTTP 200 envelope', async () => {
      emulator.injectFault({}, { kind: 'throttle' });
      const response = await tencent();
      expect(response.status).toBe(200);
      expect(tencentResponse(response)).toEqual({
        Error: { Code: 'RequestLimitExceeded', Message: expect.any(String) },
        RequestId: expect.any(String),
      });
      expect(emulator.calls()[0]?.outcome).toBe('throttle');
    });

    it('Alibaba: HTTP 429 Throttling.User, with Retry-After only when asked for', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'throttle', retryAfterSeconds: 3, times: 1 });
      const first = await alibaba();
      expect([first.status, errorCode(first), first.headers['retry-after']]).toEqual([429, 'Throttling.User', '3']);
      expect(json(first)).toEqual(
        expect.objectContaining({ HostId: expect.any(String), Recommend: expect.any(String) }),
      );

      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'throttle', times: 1 });
      const second = await alibaba();
      expect([second.status, second.headers['retry-after']]).toEqual([429, undefined]);
    });
  });

  describe('internal-error', () => {
    it('Tencent: InternalError inside the HTTP 200 envelope', async () => {
      emulator.injectFault({ provider: 'tencent-mps' }, { kind: 'internal-error' });
      const response = await tencent();
      expect([response.status, errorCode(response)]).toEqual([200, 'InternalError']);
    });

    it('Alibaba: HTTP 500 InternalError', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'internal-error' });
      const response = await alibaba();
      expect([response.status, errorCode(response)]).toEqual([500, 'InternalError']);
      expect(emulator.calls()[0]?.outcome).toBe('internal-error');
    });
  });

  describe('unavailable', () => {
    it('HTTP 503 with a plain-text body that is no provider JSON', async () => {
      emulator.injectFault({}, { kind: 'unavailable', retryAfterSeconds: 7 });
      for (const response of [await tencent(), await alibaba()]) {
        expect(response.status).toBe(503);
        expect(response.text).toBe('Service Unavailable');
        expect(response.headers['retry-after']).toBe('7');
      }
      expect(emulator.calls().map((call) => call.outcome)).toEqual(['unavailable', 'unavailable']);
    });
  });

  describe('non-json', () => {
    it('HTTP 200 with an HTML page', async () => {
      emulator.injectFault({}, { kind: 'non-json' });
      const response = await tencent();
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.text.startsWith('<html>')).toBe(true);
      expect(() => JSON.parse(response.text) as unknown).toThrow();
    });
  });

  describe('drop-connection', () => {
    it('destroys the socket without answering, and logs the call', async () => {
      emulator.injectFault({ taskId: SEED.workflow.failed }, { kind: 'drop-connection' });
      await expect(alibaba(SEED.workflow.failed)).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(emulator.calls().map((call) => [call.taskId, call.outcome])).toEqual([
        [SEED.workflow.failed, 'drop-connection'],
      ]);
      // The server keeps serving other requests.
      expect((await alibaba()).status).toBe(200);
    });
  });

  describe('hang', () => {
    it('never answers: a client that aborts after 200 ms sees its own abort, and the call is logged as hang', async () => {
      emulator.injectFault({ taskId: SEED.image.waiting }, { kind: 'hang' });
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 200);
      const request = tencentRequest(emulator.url, { taskId: SEED.image.waiting });
      await expect(send(emulator.url, request, { signal: controller.signal })).rejects.toThrow(/abort/i);
      clearTimeout(timer);
      expect(emulator.calls().map((call) => [call.taskId, call.outcome])).toEqual([[SEED.image.waiting, 'hang']]);
    });

    it('close() ends a request that is still hanging', async () => {
      const own = await startEmulator({ now: fixedClock });
      own.injectFault({}, { kind: 'hang' });
      const pending = send(own.url, alibabaRequest(own.url));
      const settled = pending.then(
        () => 'answered',
        (error: Error) => error.message,
      );
      await waitForCalls(() => own.callCount(), 1);
      await own.close();
      expect(await settled).toMatch(/socket hang up|ECONNRESET/);
    });
  });

  describe('times', () => {
    it('faults only the first N matching attempts, then the fault is spent', async () => {
      emulator.injectFault({}, { kind: 'throttle', times: 2 });
      expect(errorCode(await tencent())).toBe('RequestLimitExceeded');
      expect(errorCode(await tencent())).toBe('RequestLimitExceeded');
      expect(errorCode(await tencent())).toBeUndefined();
      expect(emulator.calls().map((call) => call.outcome)).toEqual(['throttle', 'throttle', 'ok']);
    });

    it('scripts a sequence: equally specific faults apply in injection order', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'throttle', times: 1 });
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'internal-error', times: 1 });
      expect((await alibaba()).status).toBe(429);
      expect((await alibaba()).status).toBe(500);
      expect((await alibaba()).status).toBe(200);
    });

    it('a fault that did not match is not spent', async () => {
      emulator.injectFault({ provider: 'alibaba-ice' }, { kind: 'internal-error', times: 1 });
      expect(errorCode(await tencent())).toBeUndefined();
      expect((await alibaba()).status).toBe(500);
    });
  });

  describe('targeting', () => {
    it('{} is global: both providers, every task', async () => {
      emulator.injectFault({}, { kind: 'internal-error' });
      expect(errorCode(await tencent())).toBe('InternalError');
      expect(errorCode(await alibaba(SEED.workflow.running))).toBe('InternalError');
    });

    it('a per-task fault wins over a global one and leaves other tasks to the global one', async () => {
      emulator.injectFault({}, { kind: 'internal-error' });
      emulator.injectFault({ taskId: SEED.image.processing }, { kind: 'throttle' });
      expect(errorCode(await tencent(SEED.image.processing))).toBe('RequestLimitExceeded');
      expect(errorCode(await tencent(SEED.image.waiting))).toBe('InternalError');
    });

    it('a per-task fault wins even when injected before the global one, and the global one is not spent meanwhile', async () => {
      emulator.injectFault({ taskId: SEED.workflow.stopped }, { kind: 'throttle', times: 1 });
      emulator.injectFault({}, { kind: 'internal-error', times: 1 });
      expect((await alibaba(SEED.workflow.stopped)).status).toBe(429);
      expect((await alibaba(SEED.workflow.stopped)).status).toBe(500);
      expect((await alibaba(SEED.workflow.stopped)).status).toBe(200);
    });

    it('a provider-scoped fault leaves the other provider alone', async () => {
      emulator.injectFault({ provider: 'tencent-mps' }, { kind: 'unavailable' });
      expect((await tencent()).status).toBe(503);
      expect((await alibaba()).status).toBe(200);
    });

    it('a task-scoped fault applies only to that task id', async () => {
      emulator.injectFault({ taskId: SEED.workflow.running }, { kind: 'unavailable' });
      expect((await alibaba(SEED.workflow.running)).status).toBe(503);
      expect((await alibaba(SEED.workflow.succeeded)).status).toBe(200);
    });

    it('applies before authentication, as a gateway would, and the call is still logged', async () => {
      emulator.injectFault({}, { kind: 'throttle' });
      const unsigned = tencentRequest(emulator.url);
      delete unsigned.headers['Authorization'];
      expect(errorCode(await send(emulator.url, unsigned))).toBe('RequestLimitExceeded');
      expect(emulator.callCount({ provider: 'tencent-mps' })).toBe(1);
    });

    it('clearFaults removes every fault', async () => {
      emulator.injectFault({}, { kind: 'unavailable' });
      emulator.clearFaults();
      expect((await tencent()).status).toBe(200);
    });
  });

  describe('validation', () => {
    it.each([
      [{ kind: 'explode' }],
      [{ kind: 'throttle', times: 0 }],
      [{ kind: 'throttle', times: 1.5 }],
      [{ kind: 'latency', latencyMs: -1 }],
      [{ kind: 'throttle', retryAfterSeconds: -2 }],
    ])('refuses %j', (fault) => {
      expect(() => emulator.injectFault({}, fault as never)).toThrow(TypeError);
    });
  });
});
