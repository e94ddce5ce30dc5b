/**
 * Requests Node's HTTP parser refuses before Express runs (headers over 16 KB, which a long
 * GET query string reaches; a request that is not HTTP) are answered in GraphQL's error shape,
 * logged and counted like every other refusal, instead of a bare status and silence.
 */
import net from 'node:net';
import { startTestStack, type TestStack } from '../support/stack.js';

/** Sends raw bytes and reads everything the server answers until it closes the connection. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

function parse(answer: string): { status: number; body: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) };
}

function refusedCount(metricsText: string, reason: string): number {
  const match = new RegExp(`^http_requests_refused_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metricsText);
  return match ? Number(match[1]) : 0;
}

describe('requests refused by the HTTP parser', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ DOCUMENT_CACHE_MAX_BYTES: '4096' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a GET whose query string overflows the header limit with 431 in GraphQL shape, logged and counted', async () => {
    const variables = encodeURIComponent(JSON.stringify({ ids: Array.from({ length: 2000 }, (_, i) => `task-${i}`) }));
    const request = `GET /graphql?query=%7B__typename%7D&variables=${variables} HTTP/1.1\r\nhost: localhost\r\napollo-require-preflight: true\r\n\r\n`;
    expect(request.length).toBeGreaterThan(16 * 1024);
    const { status, body } = parse(await rawExchange(stack.url, request));
    expect(status).toBe(431);
    expect(body).toEqual({
      errors: [
        {
          message: expect.stringContaining('send the operation as a POST body'),
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
    expect(stack.logLines.filter((line) => line.includes('"reason":"headers_too_large"'))).toHaveLength(1);
    expect(refusedCount((await stack.request('/metrics')).text, 'headers_too_large')).toBe(1);
  });

  it('answers bytes that are not HTTP with 400 in GraphQL shape, logged and counted', async () => {
    const { status, body } = parse(await rawExchange(stack.url, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [{ message: 'The request is not valid HTTP', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(stack.logLines.filter((line) => line.includes('"reason":"bad_http_request"'))).toHaveLength(1);
    expect(refusedCount((await stack.request('/metrics')).text, 'bad_http_request')).toBe(1);
  });

  it('still answers every distinct document with a parsed-document cache far smaller than they are together', async () => {
    for (let i = 0; i < 40; i += 1) {
      const { body } = await stack.query(`query Distinct${i} { __typename }`);
      expect(body).toEqual({ data: { __typename: 'Query' } });
    }
  });
});
