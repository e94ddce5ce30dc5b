import { SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { alibabaRequest, errorCode, fixedClock, json, send, tencentRequest } from './helpers.js';

/** The same controls over HTTP, for an emulator running in another process. */
describe('emulator HTTP control endpoint', () => {
  let emulator: RunningEmulator;
  const control = (method: string, path: string, body: unknown = undefined) =>
    send(emulator.url, {
      method,
      path: `/__emulator/${path}`,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? '' : JSON.stringify(body),
    });

  beforeAll(async () => {
    emulator = await startEmulator({ now: fixedClock });
  });
  afterAll(() => emulator.close());

  it('reports health and the seed names', async () => {
    expect(json(await control('GET', 'health'))).toEqual({ ok: true });
    expect(json(await control('GET', 'seed'))).toEqual(JSON.parse(JSON.stringify(SEED)));
  });

  it('injects, applies and clears a fault', async () => {
    expect(
      (await control('POST', 'faults', { target: { provider: 'tencent-mps' }, fault: { kind: 'throttle', times: 1 } }))
        .status,
    ).toBe(204);
    expect(errorCode(await send(emulator.url, tencentRequest(emulator.url)))).toBe('RequestLimitExceeded');
    expect(errorCode(await send(emulator.url, tencentRequest(emulator.url)))).toBeUndefined();

    expect((await control('POST', 'faults', { fault: { kind: 'unavailable' } })).status).toBe(204);
    expect((await send(emulator.url, alibabaRequest(emulator.url))).status).toBe(503);
    expect((await control('DELETE', 'faults')).status).toBe(204);
    expect((await send(emulator.url, alibabaRequest(emulator.url))).status).toBe(200);
  });

  it.each([
    ['no body', undefined],
    ['an unknown kind', { fault: { kind: 'explode' } }],
    ['a string times', { fault: { kind: 'throttle', times: '2' } }],
    ['an unknown provider', { target: { provider: 'aws' }, fault: { kind: 'throttle' } }],
    ['a numeric taskId', { target: { taskId: 7 }, fault: { kind: 'throttle' } }],
  ])('refuses a fault with %s', async (_case, body) => {
    const response = await control('POST', 'faults', body);
    expect(response.status).toBe(400);
    expect(json(response)['error']).toEqual(expect.any(String));
  });

  it('lists, filters and resets calls', async () => {
    await control('DELETE', 'calls');
    await send(emulator.url, tencentRequest(emulator.url, { taskId: SEED.image.waiting }));
    await send(emulator.url, alibabaRequest(emulator.url, { taskId: SEED.workflow.running }));

    const all = json(await control('GET', 'calls'));
    expect(all['count']).toBe(2);
    const filtered = json(await control('GET', `calls?provider=alibaba-ice&taskId=${SEED.workflow.running}`));
    expect(filtered['count']).toBe(1);
    expect((filtered['calls'] as Array<{ outcome: string }>)[0]?.outcome).toBe('ok');

    expect((await control('DELETE', 'calls')).status).toBe(204);
    expect(emulator.callCount()).toBe(0);
  });

  it('answers 404 for an unknown control route', async () => {
    expect((await control('GET', 'nope')).status).toBe(404);
  });
});
