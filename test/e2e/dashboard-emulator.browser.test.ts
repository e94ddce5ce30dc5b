/**
 * The dashboard in Chromium against the subgraph on its BUILT-IN emulator (startApp without
 * provider credentials, as `npm start` runs it): a finished sample task that the emulator's
 * HTTP controls script anew changes on the open page, on both transports, without a reload.
 * Against an outside emulator (real providers' behaviour) a finished task is not asked again.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import fetch from 'node-fetch';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { SEED } from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';
import { launchChromium } from '../support/chromium.js';
import { startTestStack } from '../support/stack.js';

const WAIT = { timeout: 15_000 };
const POLL_MS = 200;

let browser: Browser;
let app: RunningApp;

beforeAll(async () => {
  // Default cache lifetimes, so a finished task would be kept for CACHE_TERMINAL_TTL_MS (ten minutes).
  // A subscription's poller asks for a waiting task every SUBSCRIPTION_WAITING_INTERVAL_MS: short here.
  const config = loadConfig({ LOG_LEVEL: 'silent', SUBSCRIPTION_WAITING_INTERVAL_MS: String(POLL_MS) });
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  app = await startApp(
    config,
    {
      fetch,
      now: Date.now,
      randomNonce: () => randomBytes(16).toString('hex'),
      logger: createLogger('silent', silent),
    },
    { port: 0, host: '127.0.0.1' },
  );
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface Tab {
  readonly page: Page;
  /** The ids of every list query the page sent, in order. */
  readonly queried: string[][];
  /** The payload of every WebSocket frame the page received. */
  readonly frames: string[];
  readonly errors: string[];
  close(): Promise<void>;
}

/** A page in a context of its own (no localStorage shared with another tab) that records its list queries and socket frames. */
async function openTab(url: string): Promise<Tab> {
  const context: BrowserContext = await browser.createBrowserContext();
  const page = await context.newPage();
  const queried: string[][] = [];
  const frames: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error instanceof Error ? error.message : String(error)));
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return;
    const body = JSON.parse(request.postData() ?? '{}') as { variables?: { ids?: string[] } };
    if (Array.isArray(body.variables?.ids)) queried.push(body.variables.ids);
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameReceived', (event) => frames.push(event.response.payloadData));
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  return { page, queried, frames, errors, close: () => context.close() };
}

/** Resolves once `condition` holds, checked every 50 ms; fails after WAIT.timeout saying what it waited for. */
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited >= WAIT.timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const row = (kind: string, taskId: string): string => `#tasks tbody tr[data-key="${kind}:${taskId}"]`;

async function waitForState(page: Page, kind: string, taskId: string, state: string): Promise<void> {
  await page.waitForSelector(`${row(kind, taskId)}[data-state="${state}"]`, WAIT);
}

const cellText = (page: Page, kind: string, taskId: string, cell: string): Promise<string> =>
  page.$eval(`${row(kind, taskId)} td.${cell}`, (element) => element.textContent ?? '');

const queriesOf = (tab: Tab, taskId: string): number => tab.queried.filter((ids) => ids.includes(taskId)).length;

async function control(path: string): Promise<unknown> {
  const response = await fetch(`${app.emulator!.controlsUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'tencent-mps' }),
  });
  expect(response.status).toBe(200);
  return response.json();
}

describe('the dashboard on the built-in emulator', () => {
  // A finished sample task per transport: each is scripted once, so the two cases do not meet.
  it.each([
    { transport: 'subscriptions', query: '', taskId: SEED.image.finishedSuccess, finished: 'SUCCEEDED' },
    { transport: 'polling', query: '&transport=poll', taskId: SEED.image.finishedFaceNotFound, finished: 'FAILED' },
  ])(
    'shows a finished task scripted, then advanced, through the controls without a reload ($transport)',
    async ({ transport, query, taskId, finished }) => {
      const tab = await openTab(new URL(`/dashboard/?poll=${POLL_MS}${query}&image=${taskId}`, app.url).href);
      try {
        await waitForState(tab.page, 'image', taskId, finished);
        await tab.page.waitForSelector(`#transport[data-transport="${transport}"]`, WAIT);
        expect(await cellText(tab.page, 'image', taskId, 'status')).toBe('FINISH');
        // Finished, and still re-read by a list query at the poll interval, on either transport.
        const shown = queriesOf(tab, taskId);
        await until('two re-reads of the finished task', () => queriesOf(tab, taskId) >= shown + 2);

        await control(`tasks/${taskId}/script`);
        await waitForState(tab.page, 'image', taskId, 'PENDING');
        expect(await cellText(tab.page, 'image', taskId, 'status')).toBe('WAITING');
        expect(await cellText(tab.page, 'image', taskId, 'finished')).toBe('—');

        expect(await control(`tasks/${taskId}/advance`)).toEqual({ step: 1, steps: 4 });
        await waitForState(tab.page, 'image', taskId, 'RUNNING');
        expect(await cellText(tab.page, 'image', taskId, 'status')).toBe('PROCESSING');
        expect(await cellText(tab.page, 'image', taskId, 'progress')).toContain('0%');
        if (transport === 'subscriptions') {
          // An unfinished task is watched as before: the running state came over the WebSocket.
          expect(tab.frames.some((frame) => frame.includes(taskId) && frame.includes('"RUNNING"'))).toBe(true);
        } else {
          expect(tab.frames).toEqual([]);
        }

        expect(tab.errors).toEqual([]);
        expect(await tab.page.$eval('#page-errors', (element) => element.textContent)).toBe('');
      } finally {
        await tab.close();
      }
    },
    30_000,
  );
});

describe('the dashboard on an outside emulator, as on real providers', () => {
  it('asks for a finished task once, while a running one is polled on', async () => {
    const stack = await startTestStack();
    const finished = SEED.image.finishedSuccess;
    const running = SEED.image.processing;
    const tab = await openTab(
      new URL(`/dashboard/?poll=${POLL_MS}&transport=poll&image=${finished},${running}`, stack.url).href,
    );
    try {
      await waitForState(tab.page, 'image', finished, 'SUCCEEDED');
      await waitForState(tab.page, 'image', running, 'RUNNING');
      // No samples.json here: nothing says a finished task may change, so it is not asked again.
      await until('three more polls of the running task', () => queriesOf(tab, running) >= 4);
      expect(queriesOf(tab, finished)).toBe(1);
      expect(tab.queried[0]).toEqual([finished, running]);
      expect(tab.errors).toEqual([]);
    } finally {
      await tab.close();
      await stack.stop();
    }
  }, 30_000);
});
