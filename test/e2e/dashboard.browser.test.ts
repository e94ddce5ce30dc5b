/**
 * The dashboard in a real browser (Debian's Chromium) against the subgraph on the emulator:
 * tasks added through the form, one driven through its states in the emulator while the
 * page follows, a workflow graph drawn as SVG, an error row with its code. It writes
 * docs/dashboard.png, the screenshot in docs/dashboard.md.
 *
 * The page takes the WebSocket when the server offers task subscriptions and polls the
 * queries when it does not; the test asks the schema which to expect, so it holds on both.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import fetch from 'node-fetch';
import type { Browser, Page } from 'puppeteer-core';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { SEED, sampleTasks, type ImageTaskSeed } from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';
import { launchChromium } from '../support/chromium.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const DRIVEN = '24000089-WorkflowTask-da5b0a4d00000000000000000000c0de';
const UNKNOWN = '24000089-WorkflowTask-00000000000000000000000000000404';
const SCREENSHOT = new URL('../../docs/dashboard.png', import.meta.url);
const WAIT = { timeout: 15_000 };

const waiting: ImageTaskSeed = {
  TaskType: 'WorkflowTask',
  Status: 'WAITING',
  ErrCode: 0,
  ErrMsg: '',
  Message: '',
  ImageProcessTaskResultSet: [],
  CreateTime: '2026-05-04T09:00:00Z',
  FinishTime: null,
};
const processing: ImageTaskSeed = {
  ...waiting,
  Status: 'PROCESSING',
  ImageProcessTaskResultSet: [{ Status: 'PROCESSING', ErrMsg: '', Message: '', Progress: 40, Output: null }],
};
const finished: ImageTaskSeed = {
  ...waiting,
  Status: 'FINISH',
  ImageProcessTaskResultSet: [
    {
      Status: 'SUCCESS',
      ErrMsg: '',
      Message: '',
      Progress: 100,
      Output: { Path: '/output/dashboard/driven.jpg', OutputStorage: null },
    },
  ],
  FinishTime: '2026-05-04T09:00:42Z',
};

let stack: TestStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    // With subscriptions served, the server polls a waiting task every SUBSCRIPTION_WAITING_INTERVAL_MS
    // and a running one every CACHE_RUNNING_TTL_MS: short here, so a state change shows up soon.
    // Both are ignored by a server without subscriptions.
    SUBSCRIPTION_WAITING_INTERVAL_MS: '200',
    CACHE_RUNNING_TTL_MS: '200',
  });
  stack.emulator.putImageTask(DRIVEN, waiting);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error instanceof Error ? error.message : String(error)));
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const row = (kind: string, taskId: string): string => `#tasks tbody tr[data-key="${kind}:${taskId}"]`;

async function addTask(kind: 'image' | 'workflow', taskId: string): Promise<void> {
  await page.select('#task-kind', kind);
  await page.type('#task-id', taskId);
  await page.click('#add-task button[type="submit"]');
  await page.waitForSelector(row(kind, taskId), WAIT);
}

async function waitForState(kind: string, taskId: string, state: string): Promise<void> {
  await page.waitForSelector(`${row(kind, taskId)}[data-state="${state}"]`, WAIT);
}

const cellText = (kind: string, taskId: string, cell: string): Promise<string> =>
  page.$eval(`${row(kind, taskId)} td.${cell}`, (element) => element.textContent ?? '');

describe('the task dashboard in Chromium', () => {
  it('follows a task through its states, draws a workflow graph, shows an error row, and saves the screenshot', async () => {
    const schema = await stack.query('{ __schema { subscriptionType { fields { name } } } }');
    const subscriptionFields = (
      (schema.body.data?.['__schema'] as { subscriptionType: { fields: { name: string }[] } | null }).subscriptionType
        ?.fields ?? []
    ).map((field) => field.name);
    const expectedTransport = subscriptionFields.includes('imageTaskUpdated') ? 'subscriptions' : 'polling';

    await page.goto(new URL('/dashboard/?poll=200', stack.url).href, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('body[data-ready="true"]', WAIT);
    // No samples without the built-in emulator (this stack's emulator is an outside one): the list starts empty.
    expect(await page.$eval('#empty', (element) => element.hasAttribute('hidden'))).toBe(false);

    // WAITING -> PROCESSING with progress -> FINISH with a result, each shown by the page.
    await addTask('image', DRIVEN);
    await waitForState('image', DRIVEN, 'PENDING');
    await page.waitForSelector(`#transport[data-transport="${expectedTransport}"]`, WAIT);
    expect(await cellText('image', DRIVEN, 'status')).toBe('WAITING');
    expect(await cellText('image', DRIVEN, 'state')).toContain('PENDING');

    stack.emulator.putImageTask(DRIVEN, processing);
    await waitForState('image', DRIVEN, 'RUNNING');
    expect(await cellText('image', DRIVEN, 'status')).toBe('PROCESSING');
    expect(await cellText('image', DRIVEN, 'progress')).toContain('40%');
    expect(await cellText('image', DRIVEN, 'finished')).toBe('—');

    stack.emulator.putImageTask(DRIVEN, finished);
    await waitForState('image', DRIVEN, 'SUCCEEDED');
    expect(await cellText('image', DRIVEN, 'status')).toBe('FINISH');
    expect(await cellText('image', DRIVEN, 'progress')).toContain('100%');
    expect(await cellText('image', DRIVEN, 'finished')).toBe('2026-05-04 09:00:42 UTC');
    expect(await cellText('image', DRIVEN, 'duration')).toBe('42 s');
    // The state is a word and a symbol, not a colour alone.
    expect(await cellText('image', DRIVEN, 'state')).toMatch(/✔\s+SUCCEEDED/);

    // A workflow task: its graph drawn from WorkflowGraph.layout, node colours by result state.
    await addTask('workflow', SEED.workflow.failed);
    await waitForState('workflow', SEED.workflow.failed, 'FAILED');
    await page.waitForSelector('#graph-panel:not([hidden]) svg.workflow-graph g.node', WAIT);
    const layout = await stack.query(
      `{ workflowTask(taskId: "${SEED.workflow.failed}") { workflow { graph { layout { nodes { id state } edges { source } } } } } }`,
    );
    const expected = (
      layout.body.data?.['workflowTask'] as {
        workflow: { graph: { layout: { nodes: { id: string; state: string }[]; edges: unknown[] } } };
      }
    ).workflow.graph.layout;
    const drawn = await page.$$eval('svg.workflow-graph g.node', (nodes) =>
      nodes.map((node) => ({ id: node.getAttribute('data-node-id'), state: node.getAttribute('data-state') })),
    );
    expect(drawn).toEqual(expected.nodes);
    expect(drawn).toContainEqual({ id: 'llm_1', state: 'FAILED' });
    expect(await page.$$eval('svg.workflow-graph polyline.edge', (edges) => edges.length)).toBe(expected.edges.length);
    // The node results beside the graph, the failed one with its error.
    const results = await page.$$eval('#node-results tbody tr', (rows) => rows.map((tr) => tr.textContent ?? ''));
    expect(results.find((text) => text.startsWith('llm_1'))).toContain('Model invocation timed out');
    expect(await cellText('workflow', SEED.workflow.failed, 'error-message')).toContain('Model invocation timed out');

    // An id the provider does not know: an error row with the server's extensions.code.
    await addTask('image', UNKNOWN);
    await waitForState('image', UNKNOWN, 'ERROR');
    expect(await cellText('image', UNKNOWN, 'error-code')).toBe('NOT_FOUND');
    expect(await cellText('image', UNKNOWN, 'state')).toContain('ERROR');

    // A provider-side failure: the task's own error code and message.
    await addTask('image', SEED.image.finishedFaceNotFound);
    await waitForState('image', SEED.image.finishedFaceNotFound, 'FAILED');
    expect(await cellText('image', SEED.image.finishedFaceNotFound, 'error-code')).toBe(
      'InvalidParameterValue.FaceNotFound (40000)',
    );
    expect(await cellText('image', SEED.image.finishedFaceNotFound, 'error-message')).toBe('Face Not Found');

    // More rows for the picture: every state colour once.
    for (const taskId of [SEED.image.processing, SEED.image.finishedPartial]) await addTask('image', taskId);
    for (const taskId of [SEED.workflow.running, SEED.workflow.partialSucceeded]) await addTask('workflow', taskId);
    await waitForState('image', SEED.image.processing, 'RUNNING');
    await waitForState('image', SEED.image.finishedPartial, 'PARTIALLY_SUCCEEDED');
    await waitForState('workflow', SEED.workflow.running, 'RUNNING');
    await waitForState('workflow', SEED.workflow.partialSucceeded, 'PARTIALLY_SUCCEEDED');
    // The table is a real table with a header per column.
    expect(await page.$$eval('#tasks thead th[scope="col"]', (headers) => headers.length)).toBe(11);
    expect(await page.$eval('label[for="task-id"]', (label) => label.textContent)).toBe('Task id');

    expect(pageErrors).toEqual([]);
    expect(await page.$eval('#page-errors', (element) => element.textContent)).toBe('');
    mkdirSync(new URL('.', SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.pathname as `${string}.png`, fullPage: true });
  }, 60_000);
});

describe('the dashboard in other deployments', () => {
  it("adds the built-in emulator's sample tasks on a first visit, each with what it shows", async () => {
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    const app = await startApp(
      loadConfig({ LOG_LEVEL: 'silent' }),
      {
        fetch,
        now: Date.now,
        randomNonce: () => randomBytes(16).toString('hex'),
        logger: createLogger('silent', silent),
      },
      { port: 0, host: '127.0.0.1' },
    );
    const tab = await browser.newPage();
    try {
      await tab.goto(new URL('/dashboard/?poll=200', app.url).href, { waitUntil: 'domcontentloaded' });
      const samples = sampleTasks();
      // A string, evaluated in the page: this project's TypeScript has no DOM library.
      await tab.waitForFunction(
        `document.querySelectorAll('#tasks tbody tr:not([data-state="LOADING"])').length === ${samples.length}`,
        WAIT,
      );
      const shown = await tab.$$eval('#tasks tbody tr', (rows) =>
        rows.map((tr) => ({ key: tr.getAttribute('data-key'), note: tr.querySelector('.note')?.textContent })),
      );
      expect(shown).toEqual(
        samples.map((sample) => ({ key: `${sample.kind}:${sample.taskId}`, note: sample.outcome })),
      );
      expect(
        await tab.$eval(`tr[data-key="image:${SEED.image.finishedSuccess}"]`, (tr) => tr.getAttribute('data-state')),
      ).toBe('SUCCEEDED');
      expect(await tab.$eval('#add-samples', (button) => button.hasAttribute('hidden'))).toBe(false);
    } finally {
      await tab.close();
      await app.stop();
    }
  }, 30_000);

  it('shows the refusal of /graphql on every row, with its code, when the router secret is required', async () => {
    const guarded = await startTestStack({ SUBGRAPH_SHARED_SECRET: 'router-secret-of-at-least-16-characters' });
    const tab = await browser.newPage();
    try {
      await tab.goto(
        new URL(
          `/dashboard/?poll=200&image=${SEED.image.finishedSuccess}&workflow=${SEED.workflow.failed}`,
          guarded.url,
        ).href,
        { waitUntil: 'domcontentloaded' },
      );
      for (const key of [`image:${SEED.image.finishedSuccess}`, `workflow:${SEED.workflow.failed}`]) {
        await tab.waitForSelector(`tr[data-key="${key}"][data-state="ERROR"]`, WAIT);
        expect(await tab.$eval(`tr[data-key="${key}"] td.error-code`, (cell) => cell.textContent)).toBe(
          'UNAUTHENTICATED',
        );
      }
      // The graph panel says why it has no graph instead of staying blank.
      expect(await tab.$eval('#graph-caption', (caption) => caption.textContent)).toBe('No graph: UNAUTHENTICATED');
    } finally {
      await tab.close();
      await guarded.stop();
    }
  }, 30_000);
});
