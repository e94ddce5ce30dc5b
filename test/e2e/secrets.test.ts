/**
 * No secret ever leaves the process: with distinctive provider keys, STS tokens and a
 * router secret configured, a broad run of operations (successes, every error kind,
 * every limit, router-auth failures, provider auth failures, traces, introspection,
 * metrics) is made, and every log line (at trace level, with development stack traces
 * on) and every response body and header is searched for each secret.
 *
 * Every other e2e suite gets the same search for the secrets it configures: the test
 * stack's stop() fails when one leaked (test/support/stack.ts).
 */
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { SEED, SEED_S3_SECRETS } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const TENCENT = {
  secretId: 'AKIDsecretsTest0000000000000000000001',
  secretKey: 'TencentSecretKey-MUST-NOT-LEAK-7a91',
  token: 'TencentSessionToken-MUST-NOT-LEAK-55d2',
};
const ALIBABA = {
  accessKeyId: 'LTAI5tSecretsTest0000ACS',
  accessKeySecret: 'AlibabaAccessKeySecret-MUST-NOT-LEAK-3c8e',
  securityToken: 'AlibabaStsToken-MUST-NOT-LEAK-91f0',
};
const ROUTER_SECRET = 'RouterSharedSecret-MUST-NOT-LEAK-0b6d';
const SECRETS = [
  TENCENT.secretKey,
  TENCENT.token,
  ALIBABA.accessKeySecret,
  ALIBABA.securityToken,
  ROUTER_SECRET,
  SEED_S3_SECRETS.secretKey,
  SEED_S3_SECRETS.secretId,
];
/** Key ids are not secrets, but nothing here has a reason to show them either. */
const KEY_IDS = [TENCENT.secretId, ALIBABA.accessKeyId];

const ENV = {
  NODE_ENV: 'development',
  EXPOSE_SCHEMA: 'true',
  LOG_LEVEL: 'trace',
  SUBGRAPH_SHARED_SECRET: ROUTER_SECRET,
  UPSTREAM_TIMEOUT_MS: '300',
  UPSTREAM_RETRY_BASE_DELAY_MS: '1',
  UPSTREAM_RETRY_MAX_DELAY_MS: '5',
  MAX_TASK_IDS: '3',
  MAX_QUERY_DEPTH: '5',
  MAX_QUERY_ALIASES: '2',
  MAX_QUERY_TOKENS: '300',
  BODY_LIMIT_BYTES: '4096',
};
const AUTH = { 'router-authorization': ROUTER_SECRET };
const IMAGE_FIELDS = `taskId taskType status state errCode errMsg message createTime finishTime durationSeconds requestId
  results { status errMsg message progress output { path signedUrl content fileId storage } }`;
const WORKFLOW_FIELDS = `taskId status state inputs outputs userData notifyAddress version requestId nodeResults { nodeId status output error raw }
  workflow { name graph { nodes { id result { status output error } } } }`;

function found(haystacks: readonly string[], needles: readonly string[]): string[] {
  return needles.filter((needle) => haystacks.some((text) => text.includes(needle)));
}

function everything(stack: TestStack): string[] {
  return [
    ...stack.logLines,
    ...stack.responses.map((response) => `${JSON.stringify(response.headers)}\n${response.text}`),
  ];
}

describe('secrets', () => {
  describe('with working credentials', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack(ENV, { tencentCredentials: [TENCENT], alibabaCredentials: [ALIBABA] });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('appear in no log line, response body or response header, whatever the operation', async () => {
      const image = (id: string) =>
        stack.query(`query ($id: ID!) { imageTask(taskId: $id) { ${IMAGE_FIELDS} } }`, { id }, AUTH);
      const workflow = (id: string) =>
        stack.query(`query ($id: ID!) { workflowTask(taskId: $id) { ${WORKFLOW_FIELDS} } }`, { id }, AUTH);

      // Successes: every seed task, including the one whose output storage carries S3 keys.
      for (const id of Object.values(SEED.image)) await image(id);
      for (const id of Object.values(SEED.workflow)) await workflow(id);
      await stack.query(
        `{ imageTasks(taskIds: ["${SEED.image.docExampleFinished}", "unknown-task"]) { taskId } }`,
        undefined,
        AUTH,
      );
      await stack.query(
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on ImageTask { taskId state } ... on WorkflowTask { taskId state } } }',
        {
          r: [
            { __typename: 'ImageTask', taskId: SEED.image.docExampleFinished },
            { __typename: 'WorkflowTask', taskId: SEED.workflow.succeeded },
          ],
        },
        AUTH,
      );
      await stack.query('{ _service { sdl } }', undefined, AUTH);
      await stack.query('{ __schema { types { name } } }', undefined, AUTH);
      await stack.query(`{ imageTask(taskId: "${SEED.image.docExampleFinished}") { taskId } }`, undefined, {
        ...AUTH,
        'apollo-federation-include-trace': 'ftv1',
      });

      // Every provider failure kind, with traces on so error details ride along in ftv1 too.
      for (const kind of [
        'throttle',
        'internal-error',
        'unavailable',
        'non-json',
        'drop-connection',
        'hang',
      ] as const) {
        stack.emulator.injectFault({}, { kind });
        await stack.query(
          `{ imageTask(taskId: "${SEED.image.waiting}") { taskId } workflowTask(taskId: "${SEED.workflow.running}") { taskId } }`,
          undefined,
          {
            ...AUTH,
            'apollo-federation-include-trace': 'ftv1',
          },
        );
        stack.emulator.clearFaults();
      }
      await image('24000089-WorkflowTask-not-there');
      await workflow('not-there');

      // Every refusal of input.
      await image('');
      await image('bad id!');
      await stack.query('{ imageTasks(taskIds: ["a", "b", "c", "d"]) { taskId } }', undefined, AUTH);
      await stack.query(`{ workflowTask(taskId: "x") { ${WORKFLOW_FIELDS} } }`, undefined, AUTH);
      await stack.query(
        '{ a: __typename b: imageTask(taskId: "a") { taskId } c: imageTask(taskId: "b") { taskId } d: imageTask(taskId: "c") { taskId } }',
        undefined,
        AUTH,
      );
      await stack.query(`{ imageTask(taskId: "a") { ${'taskId '.repeat(400)} } }`, undefined, AUTH);
      await stack.query('{ imageTask(taskId: ', undefined, AUTH);
      const post = (body: string) =>
        stack.request('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body });
      await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(5000) } }));
      await post('{"query": ');
      await post(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
      await stack.request('/', { headers: { accept: 'text/html', ...AUTH } });

      // Router authentication failures, including a near miss.
      await stack.query('{ __typename }');
      await stack.query('{ __typename }', undefined, { 'router-authorization': `${ROUTER_SECRET}x` });
      await stack.query('{ __typename }', undefined, { 'router-authorization': ROUTER_SECRET.slice(0, -1) });
      await stack.query('{ __typename }', undefined, { authorization: ROUTER_SECRET });

      // Probes and metrics.
      await stack.request('/health');
      await stack.request('/ready');
      await stack.request('/metrics');

      // Not vacuous: the secrets were in use (the emulator saw the tokens), and there was plenty to search.
      const received = JSON.stringify(stack.emulator.calls());
      expect(received).toContain(TENCENT.token);
      expect(received).toContain(ALIBABA.securityToken);
      expect(stack.responses.length).toBeGreaterThan(40);
      expect(stack.logLines.length).toBeGreaterThan(40);
      expect(stack.responses.some((response) => response.text.includes('"ftv1"'))).toBe(true);

      expect(found(everything(stack), SECRETS)).toEqual([]);
      expect(found(everything(stack), KEY_IDS)).toEqual([]);
      expect(stack.leakedSecrets()).toEqual([]);
    });

    it('would notice a leak (the search itself works)', () => {
      stack.logLines.push(`{"msg":"planted","value":"${ROUTER_SECRET}"}`);
      stack.responses.push({ status: 200, headers: { 'x-planted': TENCENT.token }, text: '' });
      try {
        expect(stack.leakedSecrets()).toEqual(['TENCENTCLOUD_SESSION_TOKEN', 'SUBGRAPH_SHARED_SECRET']);
      } finally {
        stack.logLines.pop();
        stack.responses.pop();
      }
    });
  });

  describe('with credentials the provider refuses', () => {
    let stack: TestStack;
    beforeAll(async () => {
      // The emulator holds other secrets for our key ids: ours are refused, the way a rotated or mistyped key is.
      stack = await startTestStack(
        {
          ...ENV,
          TENCENTCLOUD_SECRET_KEY: TENCENT.secretKey,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA.accessKeySecret,
        },
        {
          tencentCredentials: [{ ...TENCENT, secretKey: 'the-key-the-provider-has-0000' }],
          alibabaCredentials: [{ ...ALIBABA, accessKeySecret: 'the-secret-the-provider-has-0000' }],
        },
      );
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('reports UPSTREAM_AUTH_FAILED and shows neither key', async () => {
      const { body } = await stack.query(
        `{ imageTask(taskId: "${SEED.image.docExampleFinished}") { taskId } workflowTask(taskId: "${SEED.workflow.succeeded}") { taskId } }`,
        undefined,
        { ...AUTH, 'apollo-federation-include-trace': 'ftv1' },
      );
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual([
        'UPSTREAM_AUTH_FAILED',
        'UPSTREAM_AUTH_FAILED',
      ]);
      expect(
        found(everything(stack), [...SECRETS, 'the-key-the-provider-has-0000', 'the-secret-the-provider-has-0000']),
      ).toEqual([]);
      expect(found(everything(stack), KEY_IDS)).toEqual([]);
    });
  });

  describe('with a configuration error', () => {
    it('names the variables and shows no value', () => {
      let error: unknown;
      try {
        loadConfig({
          TENCENTCLOUD_SECRET_KEY: TENCENT.secretKey,
          TENCENTCLOUD_SESSION_TOKEN: TENCENT.token,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA.accessKeySecret,
          ALIBABA_CLOUD_SECURITY_TOKEN: ALIBABA.securityToken,
          SUBGRAPH_SHARED_SECRET: 'short-secret',
          MPS_ENDPOINT: `https://user:${TENCENT.secretKey}@mps.tencentcloudapi.com`,
        });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const text = `${(error as ConfigError).message}\n${(error as ConfigError).stack}\n${JSON.stringify(error)}`;
      expect(text).toContain('SUBGRAPH_SHARED_SECRET');
      expect(found([text], [...SECRETS, 'short-secret'])).toEqual([]);
    });
  });
});
