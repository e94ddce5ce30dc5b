/**
 * The whole subgraph configured only through the vendors' credential variables (RRSA and
 * TKE OIDC, a credentials URI, a CVM role), the emulator playing both the platform and the
 * providers: readiness, lookups, what logs and /metrics say, and the honest failure once a
 * credential has expired and STS is down. No issued secret, token or OIDC token may show
 * in any log line or response.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as wait } from 'node:timers/promises';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fetch from 'node-fetch';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { CREDENTIALS_URI_PATH, SEED, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';
import { otelTracing } from '../../src/observability/otel.js';

const ACK_TOKEN = 'ack-oidc-token-MUST-NOT-LEAK-4f1e';
const TKE_TOKEN = 'tke-oidc-token-MUST-NOT-LEAK-9b2c';
const IMAGE = SEED.image.finishedSuccess;
const WORKFLOW = SEED.workflow.succeeded;

interface Running {
  readonly app: RunningApp;
  readonly logLines: string[];
  readonly texts: string[];
  get(path: string): Promise<{ status: number; text: string }>;
  query(query: string): Promise<{
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  }>;
}

/** Every span of every test, for the search for secrets. */
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
afterAll(() => tracerProvider.shutdown());

async function start(env: Record<string, string>): Promise<Running> {
  const config = loadConfig({
    EMULATOR: 'off',
    CACHE_MAX_ENTRIES: '0',
    LOG_LEVEL: 'debug',
    UPSTREAM_TIMEOUT_MS: '2000',
    ...env,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const app = await startApp(
    config,
    {
      fetch,
      now: Date.now,
      randomNonce: () => randomBytes(16).toString('hex'),
      logger: createLogger(config.logLevel, sink),
      tracing: otelTracing(tracerProvider.getTracer('test'), () => Promise.resolve()),
    },
    { port: 0, host: '127.0.0.1' },
  );
  const texts: string[] = [];
  return {
    app,
    logLines,
    texts,
    async get(path) {
      const response = await fetch(new URL(path, app.url));
      const text = await response.text();
      texts.push(text);
      return { status: response.status, text };
    },
    async query(query) {
      const response = await fetch(new URL('/graphql', app.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const text = await response.text();
      texts.push(text);
      return JSON.parse(text) as Awaited<ReturnType<Running['query']>>;
    },
  };
}

const lookups = `{ imageTask(taskId: "${IMAGE}") { taskId state } workflowTask(taskId: "${WORKFLOW}") { taskId state } }`;

function leaked(emulator: RunningEmulator, running: Running): string[] {
  const secrets = [
    ...emulator.platform.issued().flatMap((record) => [record.secret, record.token]),
    ACK_TOKEN,
    TKE_TOKEN,
  ];
  const spanTexts = spans
    .getFinishedSpans()
    .map((span) =>
      JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events, status: span.status }),
    );
  expect(spanTexts.length).toBeGreaterThan(0);
  const haystacks = [...running.logLines, ...running.texts, ...spanTexts];
  return secrets.filter((secret) => haystacks.some((text) => text.includes(secret)));
}

let emulator: RunningEmulator;
let dir: string;
let oidcEnv: Record<string, string>;

beforeEach(async () => {
  emulator = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), 'e2e-creds-'));
  writeFileSync(join(dir, 'ack-token'), ACK_TOKEN);
  writeFileSync(join(dir, 'tke-token'), TKE_TOKEN);
  oidcEnv = {
    MPS_ENDPOINT: emulator.url,
    ICE_ENDPOINT: emulator.url,
    ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1234567890:role/subgraph',
    ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1234567890:oidc-provider/ack-rrsa',
    ALIBABA_CLOUD_OIDC_TOKEN_FILE: join(dir, 'ack-token'),
    ALIBABA_CLOUD_STS_ENDPOINT: emulator.url,
    TKE_REGION: 'ap-guangzhou',
    TKE_PROVIDER_ID: 'tke-oidc-provider',
    TKE_WEB_IDENTITY_TOKEN_FILE: join(dir, 'tke-token'),
    TKE_ROLE_ARN: 'qcs::cam::uin/100000000001:roleName/subgraph',
    TENCENTCLOUD_STS_ENDPOINT: emulator.url,
  };
});

afterEach(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

test('configured only through the RRSA and TKE variables: ready, answering, and saying which source serves until when', async () => {
  const running = await start(oidcEnv);
  try {
    expect(running.app.providers).toEqual({ 'tencent-mps': 'credentials', 'alibaba-ice': 'credentials' });
    expect((await running.get('/ready')).status).toBe(200);
    const answer = await running.query(lookups);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      imageTask: { taskId: IMAGE, state: 'SUCCEEDED' },
      workflowTask: { taskId: WORKFLOW, state: 'SUCCEEDED' },
    });
    expect(
      emulator.platform
        .calls()
        .map((c) => [c.provider, c.action, c.oidcToken])
        .sort(),
    ).toEqual([
      ['alibaba-ice', 'AssumeRoleWithOIDC', ACK_TOKEN],
      ['tencent-mps', 'AssumeRoleWithWebIdentity', TKE_TOKEN],
    ]);

    const chosen = running.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => typeof line['source'] === 'string');
    const [tencentIssued] = emulator.platform.issued('tencent-mps');
    const [alibabaIssued] = emulator.platform.issued('alibaba-ice');
    expect(chosen.map((line) => [line['level'], line['provider'], line['source'], line['expiresAt']]).sort()).toEqual([
      [30, 'alibaba-ice', 'rrsa-oidc', new Date(alibabaIssued!.expiresAtMs).toISOString()],
      [30, 'tencent-mps', 'tke-oidc', new Date(tencentIssued!.expiresAtMs).toISOString()],
    ]);

    const metrics = (await running.get('/metrics')).text;
    expect(metrics).toContain('provider_credential_source{provider="tencent-mps",source="tke-oidc"} 1');
    expect(metrics).toContain('provider_credential_source{provider="alibaba-ice",source="rrsa-oidc"} 1');
    expect(metrics).toContain(
      `provider_credential_expiry_timestamp_seconds{provider="tencent-mps"} ${tencentIssued!.expiresAtMs / 1000}`,
    );
    expect(metrics).toContain(
      `provider_credential_expiry_timestamp_seconds{provider="alibaba-ice"} ${alibabaIssued!.expiresAtMs / 1000}`,
    );
    expect(metrics).toContain(
      'provider_credential_refreshes_total{provider="alibaba-ice",source="rrsa-oidc",outcome="success"} 1',
    );
  } finally {
    await running.app.stop();
  }
  expect(leaked(emulator, running)).toEqual([]);
});

test("a credentials URI and a CVM role, read from the vendors' variables", async () => {
  const running = await start({
    MPS_ENDPOINT: emulator.url,
    ICE_ENDPOINT: emulator.url,
    ALIBABA_CLOUD_CREDENTIALS_URI: `${emulator.url}${CREDENTIALS_URI_PATH}`,
    TENCENTCLOUD_CVM_ROLE: 'auto',
    TENCENTCLOUD_METADATA_ORIGIN: emulator.url,
  });
  try {
    expect((await running.query(lookups)).errors).toBeUndefined();
    // Both providers fetch their first credential at once: the order within each source is what is fixed.
    expect(emulator.platform.calls({ provider: 'tencent-mps' }).map((c) => [c.service, c.action])).toEqual([
      ['metadata', 'RoleName'],
      ['metadata', 'RoleCredentials'],
    ]);
    expect(emulator.platform.calls({ provider: 'alibaba-ice' }).map((c) => [c.service, c.action])).toEqual([
      ['credentials-uri', 'GetCredentials'],
    ]);
    const metrics = (await running.get('/metrics')).text;
    expect(metrics).toContain('provider_credential_source{provider="tencent-mps",source="cvm-role"} 1');
    expect(metrics).toContain('provider_credential_source{provider="alibaba-ice",source="credentials-uri"} 1');
  } finally {
    await running.app.stop();
  }
  expect(leaked(emulator, running)).toEqual([]);
});

test('not ready while STS is down at start-up; ready once it answers, without a restart', async () => {
  emulator.platform.setDown('sts', true);
  const running = await start(oidcEnv);
  try {
    expect((await running.get('/ready')).status).toBe(503);
    const answer = await running.query(`{ imageTask(taskId: "${IMAGE}") { taskId } }`);
    expect(answer.errors?.map((e) => [e.extensions?.['code'], e.message])).toEqual([
      [
        'UPSTREAM_AUTH_FAILED',
        `tencent-mps has no valid credential from tke-oidc: STS AssumeRoleWithWebIdentity at ${new URL(emulator.url).host} answered InternalError`,
      ],
    ]);
    expect(
      running.logLines.some(
        (line) => line.includes('"level":40') && line.includes('credential refresh from tke-oidc failed'),
      ),
    ).toBe(true);
    emulator.platform.setDown('sts', false);
    let status = 503;
    for (let probe = 0; probe < 200 && status !== 200; probe += 1) {
      status = (await running.get('/ready')).status;
      if (status !== 200) await wait(100);
    }
    expect(status).toBe(200);
    expect((await running.query(lookups)).errors).toBeUndefined();
  } finally {
    await running.app.stop();
  }
  expect(leaked(emulator, running)).toEqual([]);
});

test('expired and STS down: lookups answer UPSTREAM_AUTH_FAILED naming the source; /ready stays 200, the process stays in the router', async () => {
  emulator.platform.setLifetime(2_000);
  const running = await start(oidcEnv);
  try {
    expect((await running.query(lookups)).errors).toBeUndefined();
    emulator.platform.setDown('sts', true);
    const expiresAtMs = Math.max(...emulator.platform.issued().map((record) => record.expiresAtMs));
    while (Date.now() <= expiresAtMs) await wait(50);
    const answer = await running.query(lookups);
    expect(answer.errors?.map((e) => [e.extensions?.['code'], e.message]).sort()).toEqual([
      [
        'UPSTREAM_AUTH_FAILED',
        `alibaba-ice has no valid credential from rrsa-oidc: STS AssumeRoleWithOIDC at ${new URL(emulator.url).host} answered HTTP 503 ServiceUnavailable`,
      ],
      [
        'UPSTREAM_AUTH_FAILED',
        `tencent-mps has no valid credential from tke-oidc: STS AssumeRoleWithWebIdentity at ${new URL(emulator.url).host} answered InternalError`,
      ],
    ]);
    expect((await running.get('/ready')).status).toBe(200);
    expect((await running.get('/metrics')).text).toMatch(
      /provider_credential_refreshes_total\{provider="tencent-mps",source="tke-oidc",outcome="failure"\} [1-9]/,
    );
    // STS back: the failure was not kept, a later lookup refreshes and answers.
    emulator.platform.setDown('sts', false);
    let errors: unknown[] | undefined = ['not asked yet'];
    for (let attempt = 0; attempt < 100 && errors !== undefined; attempt += 1) {
      errors = (await running.query(lookups)).errors;
      if (errors !== undefined) await wait(100);
    }
    expect(errors).toBeUndefined();
  } finally {
    await running.app.stop();
  }
  expect(leaked(emulator, running)).toEqual([]);
});
