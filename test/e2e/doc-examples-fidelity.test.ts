/**
 * Nothing the provider sends is lost: each provider doc example, served verbatim by
 * the emulator, comes back through GraphQL with every field it carries reachable.
 * Each table below maps a path of the provider's payload (a field, or a whole
 * subtree returned as JSON) to where it is in the GraphQL answer; a test checks
 * that the table covers every leaf of the payload (null and empty containers
 * included), so a field added to an example without a home in the schema fails here.
 */
import { SEED } from '../../src/emulator/index.js';
import { ALIBABA_DOC_RESPONSE, TENCENT_DOC_RESPONSE_CN, TENCENT_DOC_RESPONSE_INTL } from '../fixtures/doc-examples.js';
import { startTestStack, type TestStack } from '../support/stack.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Answer = Record<string, any>;

interface Mapping {
  /** Dotted path in the provider payload; `a.b` covers `a.b` and everything under it. */
  readonly sent: string;
  /** Where GraphQL returns it. */
  readonly got: (answer: Answer) => unknown;
  /** What GraphQL returns for the value sent, when it is not the value itself (an enum, decoded JSON). */
  readonly as?: (sent: Json) => unknown;
}

/** The emulator mints a fresh RequestId per answer (as the provider does), so its value cannot be the doc's. */
const MINTED_REQUEST_ID = (): unknown => expect.stringMatching(/^[0-9A-Fa-f-]{36}$/);
const UPPER = (sent: Json): unknown => String(sent).toUpperCase();

function leaves(value: Json, path: string): string[] {
  if (Array.isArray(value))
    return value.length === 0 ? [path] : value.flatMap((item, i) => leaves(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0
      ? [path]
      : keys.flatMap((key) => leaves(value[key] as Json, path === '' ? key : `${path}.${key}`));
  }
  return [path];
}

function valueAt(value: Json, path: string): Json {
  return path
    .split('.')
    .reduce<Json>(
      (node, key) => (node !== null && typeof node === 'object' && !Array.isArray(node) ? (node[key] as Json) : null),
      value,
    );
}

const covered = (leaf: string, mappings: readonly Mapping[]): boolean =>
  mappings.some((m) => leaf === m.sent || leaf.startsWith(`${m.sent}.`) || leaf.startsWith(`${m.sent}[`));

const TENCENT_INTL: readonly Mapping[] = [
  { sent: 'CreateTime', got: (t) => t.createTime },
  { sent: 'FinishTime', got: (t) => t.finishTime },
  { sent: 'RequestId', got: (t) => t.requestId, as: MINTED_REQUEST_ID },
  { sent: 'Status', got: (t) => t.status },
  { sent: 'TaskType', got: (t) => t.taskType },
];

const TENCENT_CN: readonly Mapping[] = [
  { sent: 'CreateTime', got: (t) => t.createTime },
  { sent: 'ImageTask', got: (t) => t.launchConfig },
  { sent: 'InputInfo', got: (t) => t.input.source },
  { sent: 'InputInfo.Type', got: (t) => t.input.type },
  { sent: 'InputInfo.CosInputInfo.Bucket', got: (t) => t.input.cos.bucket },
  { sent: 'InputInfo.CosInputInfo.Object', got: (t) => t.input.cos.object },
  { sent: 'InputInfo.CosInputInfo.Region', got: (t) => t.input.cos.region },
  { sent: 'InputInfo.S3InputInfo', got: (t) => t.input.s3 },
  { sent: 'InputInfo.UrlInputInfo.Url', got: (t) => t.input.url },
  { sent: 'InputInfo.VODInputInfo', got: (t) => t.input.vod },
  { sent: 'Status', got: (t) => t.status },
  { sent: 'TaskType', got: (t) => t.taskType },
  { sent: 'RequestId', got: (t) => t.requestId, as: MINTED_REQUEST_ID },
];

const ALIBABA: readonly Mapping[] = [
  { sent: 'RequestId', got: (t) => t.requestId, as: MINTED_REQUEST_ID },
  { sent: 'WorkflowTask.TaskId', got: (t) => t.taskId },
  { sent: 'WorkflowTask.Status', got: (t) => t.status, as: UPPER },
  // The doc escapes Inputs' quotes; decoded, it is this object.
  {
    sent: 'WorkflowTask.Inputs',
    got: (t) => t.inputs,
    as: () => ({
      source_language_id: 'en',
      live_id: 123,
      live_url: { url: 'rtmp://test.com.cn/video/638d9088fe4f15ce' },
    }),
  },
  { sent: 'WorkflowTask.CreateTime', got: (t) => t.createTime },
  { sent: 'WorkflowTask.FinishTime', got: (t) => t.finishTime },
  { sent: 'WorkflowTask.Workflow.WorkflowId', got: (t) => t.workflow.workflowId },
  { sent: 'WorkflowTask.Workflow.Name', got: (t) => t.workflow.name },
  { sent: 'WorkflowTask.Workflow.Status', got: (t) => t.workflow.status, as: UPPER },
  { sent: 'WorkflowTask.Workflow.Type', got: (t) => t.workflow.type },
  { sent: 'WorkflowTask.Workflow.CreateTime', got: (t) => t.workflow.createTime },
  { sent: 'WorkflowTask.Workflow.ModifiedTime', got: (t) => t.workflow.modifiedTime },
  { sent: 'WorkflowTask.Workflow.Version', got: (t) => t.workflow.version },
  // Not JSON (the doc elides with "..."): the text exactly as sent.
  { sent: 'WorkflowTask.Workflow.Graph', got: (t) => t.workflow.graphSource },
  { sent: 'WorkflowTask.NodeResults', got: (t) => t.nodeResultsSource },
  { sent: 'WorkflowTask.UserData', got: (t) => t.userData },
  { sent: 'WorkflowTask.Outputs', got: (t) => t.outputs },
  { sent: 'WorkflowTask.Version', got: (t) => t.version },
];

const IMAGE_QUERY = `query ($id: ID!) { imageTask(taskId: $id) {
  createTime finishTime requestId status taskType launchConfig
  input { type url source cos { bucket region object } s3 { bucket region object } vod { bucket region object subAppId vodBasic fileId } } } }`;
const WORKFLOW_QUERY = `query ($id: ID!) { workflowTask(taskId: $id) {
  requestId taskId status inputs createTime finishTime nodeResultsSource userData outputs version
  workflow { workflowId name status type createTime modifiedTime version graphSource } } }`;

describe('provider doc examples through GraphQL, field by field', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const cases: [string, string, string, string, readonly Mapping[], string][] = [
    [
      'Tencent MPS, international page',
      TENCENT_DOC_RESPONSE_INTL,
      SEED.image.docExampleFinished,
      IMAGE_QUERY,
      TENCENT_INTL,
      'imageTask',
    ],
    [
      'Tencent MPS, China-site page',
      TENCENT_DOC_RESPONSE_CN,
      SEED.image.docExampleProcessing,
      IMAGE_QUERY,
      TENCENT_CN,
      'imageTask',
    ],
    ['Alibaba ICE', ALIBABA_DOC_RESPONSE, SEED.workflow.docExample, WORKFLOW_QUERY, ALIBABA, 'workflowTask'],
  ];

  describe.each(cases)('%s', (_name, docText, taskId, query, mappings, root) => {
    const doc = JSON.parse(docText) as { [key: string]: Json };
    // Tencent wraps the fields in `Response`; paths start inside it.
    const payload = (root === 'imageTask' ? doc['Response'] : doc) as Json;

    it('has a home in GraphQL for every leaf of the payload', () => {
      expect(leaves(payload, '').filter((leaf) => !covered(leaf, mappings))).toEqual([]);
    });

    it('returns every mapped field as the provider sent it, with no error', async () => {
      const { body } = await stack.query(query, { id: taskId });
      expect(body.errors).toBeUndefined();
      const answer = body.data?.[root] as Answer;
      const mismatches: string[] = [];
      for (const mapping of mappings) {
        const sent = valueAt(payload, mapping.sent);
        const expected = mapping.as ? mapping.as(sent) : sent;
        try {
          expect(mapping.got(answer)).toEqual(expected);
        } catch {
          mismatches.push(`${mapping.sent}: sent ${JSON.stringify(sent)}, got ${JSON.stringify(mapping.got(answer))}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  });
});
