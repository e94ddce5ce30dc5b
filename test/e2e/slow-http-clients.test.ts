/**
 * Slow HTTP clients (issue 19, item 8), over raw sockets: a body or headers trickled a byte at a
 * time are cut at HTTP_REQUEST_TIMEOUT_MS with a 408 in GraphQL's error shape, and a connection
 * past HTTP_MAX_CONNECTIONS is closed as it arrives; both counted.
 */
import { connect, type Socket } from 'node:net';
import { startTestStack, type TestStack } from '../support/stack.js';
import { metricValue, until } from '../support/ws-client.js';

interface Trickle {
  readonly socket: Socket;
  /** Everything the server sent. */
  received: string;
  /** Bytes of the request written before the server closed the connection. */
  written: number;
  closed: boolean;
}

/** Writes `head`, then `body` one byte per interval, for as long as the connection stays open. */
function trickle(stack: TestStack, head: string, body: string, intervalMs: number): Trickle {
  const { port } = new URL(stack.url);
  const socket = connect(Number(port), '127.0.0.1');
  const state: Trickle = { socket, received: '', written: 0, closed: false };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    state.received += chunk;
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    state.closed = true;
    clearInterval(timer);
  });
  socket.write(head);
  let next = 0;
  const timer = setInterval(() => {
    if (next >= body.length || state.closed) return clearInterval(timer);
    socket.write(body[next]!);
    next += 1;
    state.written = next;
  }, intervalMs);
  return state;
}

async function refusals(stack: TestStack, reason: string): Promise<number> {
  return metricValue((await stack.request('/metrics')).text, `http_requests_refused_total{reason="${reason}"}`);
}

describe('slow HTTP clients', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_MAX_CONNECTIONS: '4' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('cuts a body trickled a byte at a time at HTTP_REQUEST_TIMEOUT_MS, answered 408', async () => {
    const body = JSON.stringify({ query: `{ imageTask(taskId: "${'x'.repeat(200)}") { taskId } }` });
    const slow = trickle(
      stack,
      `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
      100,
    );
    // A safety net well past the timeout; what is asserted is what the server did.
    await until(() => slow.closed, 'the server to close the connection', 15_000);
    expect(slow.received.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(slow.received.slice(slow.received.indexOf('\r\n\r\n') + 4))).toEqual({
      errors: [{ message: 'The request did not arrive in time', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(slow.written).toBeLessThan(body.length);
    expect(await refusals(stack, 'request_timeout')).toBe(1);
  });

  it('cuts headers trickled a byte at a time the same way', async () => {
    const slow = trickle(
      stack,
      'POST /graphql HTTP/1.1\r\n',
      `Host: localhost\r\nX-Padding: ${'p'.repeat(500)}\r\n\r\n`,
      100,
    );
    await until(() => slow.closed, 'the server to close the connection', 15_000);
    expect(slow.received.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(await refusals(stack, 'request_timeout')).toBe(2);
  });

  it('closes a connection past HTTP_MAX_CONNECTIONS as it arrives, and counts it', async () => {
    const { port } = new URL(stack.url);
    const open = (): Promise<Socket> =>
      new Promise((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
        socket.on('error', () => undefined);
      });
    const connections = () =>
      new Promise<number>((resolve) => stack.app.server.httpServer.getConnections((_error, count) => resolve(count)));
    // Earlier requests' keep-alive sockets close within Node's keepAliveTimeout (5 s).
    await until(async () => (await connections()) === 0, 'idle keep-alive connections to close');
    const held = [await open(), await open(), await open(), await open()];
    // Accepted in arrival order: the fifth is the one past the bound.
    const extra = await open();
    const extraReceived: string[] = [];
    extra.on('data', (chunk: Buffer) => extraReceived.push(chunk.toString('utf8')));
    extra.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => extra.once('close', resolve));
    expect(extraReceived).toEqual([]);
    for (const socket of held) socket.destroy();
    await until(async () => (await connections()) === 0, 'the held connections to close');
    expect((await stack.request('/health')).status).toBe(200);
    expect(await refusals(stack, 'connection_limit')).toBe(1);
  });
});
