/**
 * The edge cache over a real loopback server, with a stand-in for Express + Apollo
 * behind it that counts how often it is reached and answers with whatever headers a
 * test chooses. Time is a fake clock, so expiry is tested without waiting.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEdgeCache,
  type EdgeCache,
  type EdgeCacheHit,
  type EdgeCacheOptions,
  type RequestWithBody,
} from '../../src/http-cache/edge-cache.js';

interface Backend {
  calls: number;
  bodies: unknown[];
  /** Headers the next answers carry. */
  headers: Record<string, string | string[]>;
  status: number;
  streamed: boolean;
}

const QUERY = 'query ImageOne($id: ID!) { imageTask(taskId: $id) { taskId state } }';

describe('edge cache', () => {
  let server: http.Server;
  let url: string;
  let cache: EdgeCache;
  let backend: Backend;
  let now: number;
  let hits: EdgeCacheHit[];
  let badBodies: number;
  let admitted: boolean;

  async function start(overrides: Partial<EdgeCacheOptions> = {}): Promise<void> {
    now = 1_000_000;
    hits = [];
    badBodies = 0;
    admitted = true;
    backend = {
      calls: 0,
      bodies: [],
      headers: { 'cache-control': 'max-age=60, public', 'content-type': 'application/json; charset=utf-8' },
      status: 200,
      streamed: false,
    };
    let serial = 0;
    cache = createEdgeCache({
      maxBytes: 1_000_000,
      bodyLimitBytes: 10_000,
      paths: ['/graphql', '/'],
      now: () => now,
      admits: () => admitted,
      requestId: (req) => req.headers['x-request-id']?.toString() ?? `generated-${(serial += 1)}`,
      onBadBody: (_req, res, requestId) => {
        badBodies += 1;
        res.writeHead(400, { 'content-type': 'application/json', 'x-request-id': requestId });
        res.end('{"errors":[{"message":"Request body is not valid JSON","extensions":{"code":"BAD_USER_INPUT"}}]}');
      },
      onHit: (hit) => hits.push(hit),
      ...overrides,
    });
    const behind = (req: IncomingMessage, res: ServerResponse): void => {
      backend.calls += 1;
      const answer = (body: unknown): void => {
        backend.bodies.push(body);
        for (const [name, value] of Object.entries(backend.headers)) res.setHeader(name, value);
        res.setHeader('x-request-id', 'from-backend');
        res.statusCode = backend.status;
        const text = JSON.stringify({ data: { answer: backend.calls } });
        if (backend.streamed) {
          res.write(text.slice(0, 5));
          res.end(text.slice(5));
        } else {
          res.end(text);
        }
      };
      // Like body-parser: a body the cache already read arrives parsed; otherwise read it here.
      if ('body' in req) return answer((req as RequestWithBody).body);
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => answer(text));
    };
    server = http.createServer((req, res) => cache.handle(req, res, behind));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function post(
    body: string,
    headers: Record<string, string> = {},
    path = '/graphql',
  ): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        `${url}${path}`,
        { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  const body = JSON.stringify({ query: QUERY, variables: { id: 'task-1' } });

  it('answers a repeated body with the stored bytes, without reaching the backend', async () => {
    await start();
    const first = await post(body);
    now += 3_500;
    const second = await post(body, { 'x-request-id': 'poll-2' });
    expect(backend.calls).toBe(1);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.headers['cache-control']).toBe('max-age=60, public');
    expect(second.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(second.headers['x-request-id']).toBe('poll-2');
    expect(second.headers['age']).toBe('3');
    expect(second.headers['content-length']).toBe(String(Buffer.byteLength(first.text)));
    expect(hits).toEqual([{ requestId: 'poll-2', operationName: 'ImageOne', durationMs: 0 }]);
    expect(cache.size).toBe(1);
  });

  it('hands a miss its body already parsed, so Express does not read it again', async () => {
    await start();
    await post(body);
    await post('');
    expect(backend.bodies).toEqual([JSON.parse(body), {}]);
  });

  it('reads a body sent in several chunks, and drops a leading byte-order mark as Express does', async () => {
    await start();
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')]);
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        `${url}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.write(bytes.subarray(0, 7));
      setTimeout(() => request.end(bytes.subarray(7)), 20);
    });
    expect(chunked).toBe(200);
    expect(backend.bodies).toEqual([JSON.parse(body)]);
    expect(badBodies).toBe(0);
  });

  it('stops answering when the stored answer reaches its max-age, counting the Age it arrived with', async () => {
    await start();
    backend.headers = { ...backend.headers, age: '50' };
    await post(body);
    now += 9_999;
    expect((await post(body)).headers['age']).toBe('59');
    now += 1;
    await post(body);
    expect(backend.calls).toBe(2);
  });

  it('keeps one answer per Accept header, since Apollo negotiates the content type', async () => {
    await start();
    await post(body, { accept: 'application/json' });
    await post(body, { accept: 'application/graphql-response+json' });
    await post(body, { accept: 'application/json' });
    expect(backend.calls).toBe(2);
  });

  it.each<[string, Partial<Backend>]>([
    ['errors (Apollo sends no-store)', { headers: { 'cache-control': 'no-store' } }],
    ['private answers', { headers: { 'cache-control': 'max-age=60, private' } }],
    ['answers without Cache-Control', { headers: {} }],
    ['statuses other than 200', { status: 400 }],
    ['answers that set a cookie', { headers: { 'cache-control': 'max-age=60, public', 'set-cookie': 'a=b' } }],
    ['streamed answers (incremental delivery)', { streamed: true }],
  ])('never stores %s', async (_what, answer) => {
    await start();
    Object.assign(backend, answer);
    await post(body);
    await post(body);
    expect(backend.calls).toBe(2);
    expect(cache.size).toBe(0);
  });

  it.each<[string, Record<string, string>, string]>([
    ['another path', {}, '/graphql/extra'],
    ['a query string', {}, '/graphql?x=1'],
    ['a non-JSON content type', { 'content-type': 'text/plain' }, '/graphql'],
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=latin1' }, '/graphql'],
    ['an encoded body', { 'content-encoding': 'gzip' }, '/graphql'],
    [
      "a federated-trace request (the answer carries that request's trace)",
      { 'apollo-federation-include-trace': 'ftv1' },
      '/graphql',
    ],
  ])('leaves requests with %s to Express', async (_what, headers, path) => {
    await start();
    await post(body, headers, path);
    await post(body, headers, path);
    expect(backend.calls).toBe(2);
    expect(backend.bodies).toEqual([body, body]);
    expect(cache.size).toBe(0);
  });

  it('serves POST / like POST /graphql', async () => {
    await start();
    await post(body, {}, '/');
    await post(body, {}, '/');
    expect(backend.calls).toBe(1);
  });

  it('leaves a body over the limit, or of unannounced length, to Express', async () => {
    await start({ bodyLimitBytes: 10 });
    await post(body);
    await post(body);
    expect(backend.calls).toBe(2);
    await new Promise<void>((resolve, reject) => {
      const request = http.request(
        `${url}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      request.on('error', reject);
      request.write(body);
      request.end();
    });
    expect(backend.calls).toBe(3);
  });

  it('leaves a request it may not admit (e.g. without the router secret) to Express, even when an answer is stored', async () => {
    await start();
    await post(body);
    admitted = false;
    await post(body);
    expect(backend.calls).toBe(2);
  });

  it('answers a body that is not JSON through onBadBody, without reaching the backend', async () => {
    await start();
    const answer = await post('{"query": ', { 'x-request-id': 'broken' });
    const scalar = await post('"just a string"');
    const blank = await post('   ');
    expect(answer.status).toBe(400);
    expect(answer.headers['x-request-id']).toBe('broken');
    expect(scalar.status).toBe(400);
    expect(blank.status).toBe(400);
    expect(badBodies).toBe(3);
    expect(backend.calls).toBe(0);
  });

  it('survives a client that goes away in the middle of its body', async () => {
    await start();
    await new Promise<void>((resolve) => {
      const request = http.request(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '500' },
      });
      request.on('error', () => resolve());
      request.write(body.slice(0, 20), () => setTimeout(() => request.destroy(), 20));
      request.on('close', () => resolve());
    });
    expect((await post(body)).status).toBe(200);
    expect(backend.calls).toBe(1);
    expect(badBodies).toBe(0);
  });

  it('stays within its byte bound, forgetting the least recently used answer', async () => {
    await start({ maxBytes: 1_500 });
    const bodies = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ query: QUERY, variables: { id: `task-${i}` } }),
    );
    for (const each of bodies) await post(each);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(10);
    expect(cache.bytes).toBeLessThanOrEqual(1_500);
    await post(bodies[9]!);
    expect(backend.calls).toBe(10);
    await post(bodies[0]!);
    expect(backend.calls).toBe(11);
  });

  it('does nothing with a bound of 0', async () => {
    await start({ maxBytes: 0 });
    await post(body);
    await post(body);
    expect(backend.calls).toBe(2);
    expect(backend.bodies).toEqual([body, body]);
  });
});
