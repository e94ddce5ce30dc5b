/**
 * Cross-site WebSocket hijacking (issue 19, item 3), in a real browser (Debian's Chromium): a page
 * on another origin opens a WebSocket to /graphql and asks for a task. It is refused (closed 4403,
 * nothing read) unless its origin is in WEBSOCKET_ALLOWED_ORIGINS; a page of the subgraph's own
 * origin and a client without `Origin` are served as before.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../support/chromium.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { metricValue, record, until, wsClient } from '../support/ws-client.js';

const TASK = 'origin-check-task';
const QUERY = `{ imageTask(taskId: "${TASK}") { taskId state } }`;

/** What the page saw: message types in order, and the close code. */
interface PageOutcome {
  readonly messages: string[];
  readonly closeCode: number | null;
  readonly taskId: string | null;
}

/** Runs in the page: graphql-transport-ws by hand, so nothing but the browser decides what is sent. */
function readTaskOverWebSocket(url: string, query: string): Promise<PageOutcome> {
  return new Promise((resolve) => {
    const messages: string[] = [];
    let taskId: string | null = null;
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
    socket.onmessage = (event: { data: string }) => {
      const message = JSON.parse(event.data) as {
        type: string;
        payload?: { data?: { imageTask?: { taskId?: string } } };
      };
      messages.push(message.type);
      if (message.type === 'connection_ack')
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
      if (message.type === 'next') taskId = message.payload?.data?.imageTask?.taskId ?? null;
      if (message.type === 'complete') socket.close(1000);
    };
    socket.onclose = (event) => resolve({ messages, closeCode: event.code, taskId });
  });
}

async function startPageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // `localhost`, not 127.0.0.1: another origin than the subgraph's even on the same host.
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

describe('WebSocket upgrades from browsers', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let allowedSite: { server: Server; origin: string };
  let otherSite: { server: Server; origin: string };
  const wsGraphql = () => stack.url.replace('http://', 'ws://') + 'graphql';
  const visit = async (url: string): Promise<PageOutcome> => {
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    return page.evaluate(readTaskOverWebSocket, wsGraphql(), QUERY);
  };
  const refused = async () =>
    metricValue((await stack.request('/metrics')).text, 'http_requests_refused_total{reason="origin_not_allowed"}');

  beforeAll(async () => {
    allowedSite = await startPageServer();
    otherSite = await startPageServer();
    stack = await startTestStack({ WEBSOCKET_ALLOWED_ORIGINS: allowedSite.origin });
    stack.emulator.scriptTask('tencent-mps', TASK);
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await new Promise((resolve) => allowedSite?.server.close(resolve));
    await new Promise((resolve) => otherSite?.server.close(resolve));
  });

  it('refuses a page of another origin: closed 4403 before any operation, counted and logged once', async () => {
    const outcome = await visit(`${otherSite.origin}/`);
    expect(outcome).toEqual({ messages: [], closeCode: 4403, taskId: null });
    expect(await refused()).toBe(1);
    expect(stack.logLines.filter((line) => line.includes('"reason":"origin_not_allowed"'))).toHaveLength(1);
  });

  it("serves a page of an origin in WEBSOCKET_ALLOWED_ORIGINS, and one of the subgraph's own origin", async () => {
    expect(await visit(`${allowedSite.origin}/`)).toEqual({
      messages: ['connection_ack', 'next', 'complete'],
      closeCode: 1000,
      taskId: TASK,
    });
    expect(await visit(new URL('/health', stack.url).href)).toEqual({
      messages: ['connection_ack', 'next', 'complete'],
      closeCode: 1000,
      taskId: TASK,
    });
    expect(await refused()).toBe(1);
  });

  it('leaves clients without Origin (the router, server-side clients) unaffected', async () => {
    const { client } = wsClient(stack.url);
    const recorded = record(client, QUERY);
    await until(() => recorded.done, 'the query over WebSocket');
    expect(recorded.results).toEqual([{ data: { imageTask: { taskId: TASK, state: 'PENDING' } } }]);
    await client.dispose();
    expect(await refused()).toBe(1);
  });

  it('refuses the same foreign origin over HTTP too, with ORIGIN_NOT_ALLOWED', async () => {
    const answer = await stack.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: otherSite.origin },
      body: JSON.stringify({ query: QUERY }),
    });
    expect([answer.status, JSON.parse(answer.text).errors[0].extensions.code]).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    expect(await refused()).toBe(2);
  });
});
