/**
 * The subgraph over real HTTP against the emulator: the doc examples, every state,
 * parsed workflow payloads, list semantics, errors and their codes, entity lookups.
 */
import fetch from 'node-fetch';
import { SEED, SEED_S3_SECRETS } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const IMAGE_FIELDS = `taskId taskType status state errCode errMsg message createTime finishTime durationSeconds requestId
  results { status errMsg message progress output { path signedUrl content fileId storage } }`;
const IMAGE_NEW_FIELDS = `errCodeText definition launchConfig resultSet { status }
  input { type url source cos { bucket region object } s3 { bucket region object } vod { bucket region object subAppId vodBasic fileId } }
  results { output { outputStorage { type bucket region subAppId vodBasic } } }`;
const WORKFLOW_FIELDS = `taskId status state inputs createTime finishTime durationSeconds outputs userData notifyAddress version requestId
  nodeResults { nodeId status output error raw }
  workflow { workflowId name status type createTime modifiedTime version
    graph { nodes { id type name properties result { nodeId status output error } } edges { source target properties } } }`;

describe('subgraph over HTTP', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    stack.emulator.clearFaults();
    stack.emulator.resetCalls();
  });

  describe('ImageTask', () => {
    it('returns the English doc example through GraphQL', async () => {
      const { body } = await stack.query(`query ($id: ID!) { imageTask(taskId: $id) { ${IMAGE_FIELDS} } }`, {
        id: SEED.image.docExampleFinished,
      });
      expect(body.errors).toBeUndefined();
      expect(body.data?.imageTask).toEqual({
        taskId: '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4',
        taskType: 'WorkflowTask',
        status: 'FINISH',
        state: 'UNKNOWN',
        errCode: null,
        errMsg: null,
        message: null,
        createTime: '2025-05-16T07:44:26Z',
        finishTime: '2025-05-16T07:44:30Z',
        durationSeconds: 4,
        requestId: expect.any(String),
        results: [],
      });
    });

    it('returns the Chinese doc example, still processing, with null branches tolerated', async () => {
      const { body } = await stack.query(`query ($id: ID!) { imageTask(taskId: $id) { ${IMAGE_FIELDS} } }`, {
        id: SEED.image.docExampleProcessing,
      });
      expect(body.errors).toBeUndefined();
      expect(body.data?.imageTask).toMatchObject({
        taskId: '24******-WorkflowTask-***************tt6',
        status: 'PROCESSING',
        state: 'RUNNING',
        createTime: '2026-04-30T06:26:49Z',
        finishTime: null,
        durationSeconds: null,
        results: [],
      });
    });

    it.each([
      ['waiting', 'WAITING', 'PENDING'],
      ['processing', 'PROCESSING', 'RUNNING'],
      ['finishedSuccess', 'FINISH', 'SUCCEEDED'],
      ['finishedFaceNotFound', 'FINISH', 'FAILED'],
      ['finishedPartial', 'FINISH', 'PARTIALLY_SUCCEEDED'],
      ['nullFields', null, 'UNKNOWN'],
      ['unknownStatus', 'UNKNOWN', 'UNKNOWN'],
      ['finishedNoResults', 'FINISH', 'SUCCEEDED'],
      ['finishedUndecided', 'FINISH', 'UNKNOWN'],
      ['hugeErrCode', 'FINISH', 'FAILED'],
      ['docExampleFinished', 'FINISH', 'UNKNOWN'],
    ])('maps the %s task to status %s and state %s', async (name, status, state) => {
      const { body } = await stack.query(
        `query ($id: ID!) { imageTask(taskId: $id) { status state results { status } } }`,
        {
          id: SEED.image[name],
        },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.imageTask).toMatchObject({ status, state });
    });

    it('reports the task failure the provider gave for a finished task', async () => {
      const { body } = await stack.query(
        `query ($id: ID!) { imageTask(taskId: $id) { state errCode errMsg message } }`,
        {
          id: SEED.image.finishedFaceNotFound,
        },
      );
      expect(body.data?.imageTask).toEqual({
        state: 'FAILED',
        errCode: 40000,
        errMsg: 'InvalidParameterValue.FaceNotFound',
        message: 'Face Not Found',
      });
    });

    it('returns an ErrCode beyond a 32-bit Int without failing the field, in full as errCodeText', async () => {
      const { body } = await stack.query(
        `query ($id: ID!) { imageTask(taskId: $id) { state errCode errCodeText errMsg definition } }`,
        {
          id: SEED.image.hugeErrCode,
        },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.imageTask).toEqual({
        state: 'FAILED',
        errCode: null,
        errCodeText: '1099511627776',
        errMsg: 'InternalError',
        definition: '4294967297',
      });
    });

    it('keeps a null result set (not known) apart from an empty one (no results)', async () => {
      const query = `query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { results { status } resultSet { status } } }`;
      const { body } = await stack.query(query, {
        ids: [SEED.image.nullFields, SEED.image.finishedNoResults, SEED.image.docExampleFinished],
      });
      expect(body.errors).toBeUndefined();
      expect(body.data?.imageTasks).toEqual([
        { results: [], resultSet: null },
        { results: [], resultSet: [] },
        { results: [], resultSet: null },
      ]);
    });

    it('returns the launch configuration, the typed input and the typed output storage', async () => {
      const { body } = await stack.query(`query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { ${IMAGE_NEW_FIELDS} } }`, {
        ids: [SEED.image.finishedSuccess, SEED.image.finishedUndecided, SEED.image.hugeErrCode],
      });
      expect(body.errors).toBeUndefined();
      const [success, undecided, huge] = body.data?.imageTasks as [
        Record<string, any>,
        Record<string, any>,
        Record<string, any>,
      ];
      expect(success).toMatchObject({
        definition: '20002',
        launchConfig: { EncodeConfig: { Format: 'PNG' }, UnderstandImageConfig: { Switch: 'ON' } },
        input: {
          type: 'URL',
          url: 'https://assets.example.com/photos/portrait-02.jpg',
          cos: null,
          s3: null,
          vod: null,
        },
      });
      expect(success.results.map((result: Record<string, any>) => result.output.outputStorage)).toEqual([
        { type: 'COS', bucket: 'media-output-1250000000', region: 'ap-guangzhou', subAppId: null, vodBasic: null },
        null,
        { type: 'VOD', bucket: 'vodbucket-1500000001', region: 'ap-guangzhou', subAppId: '1500000001', vodBasic: true },
      ]);
      expect(undecided.input).toMatchObject({
        type: 'VOD',
        vod: { bucket: null, subAppId: '1500000001', vodBasic: true, fileId: '5285890799710173651' },
      });
      expect(undecided.resultSet).toEqual([{ status: 'SUCCESS' }, { status: 'PROCESSING' }]);
      expect(huge.input.vod).toEqual({
        bucket: 'vodbucket-1500000001',
        region: 'ap-guangzhou',
        object: '/input/poster-06.jpg',
        subAppId: '1500000001',
        vodBasic: null,
        fileId: null,
      });
    });

    it('never echoes the caller S3 keys that MPS returns in output storage', async () => {
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ imageTask(taskId: "${SEED.image.s3Output}") { ${IMAGE_FIELDS} ${IMAGE_NEW_FIELDS} } }`,
        }),
      });
      const text = await response.text();
      expect(text).toContain('AWS-S3');
      expect(text).not.toContain(SEED_S3_SECRETS.secretId);
      expect(text).not.toContain(SEED_S3_SECRETS.secretKey);
    });
  });

  describe('WorkflowTask', () => {
    it('returns the doc example: escaped Inputs parsed, unreadable graph and node results fail only their own fields', async () => {
      const { body } = await stack.query(`query ($id: ID!) { workflowTask(taskId: $id) { ${WORKFLOW_FIELDS} } }`, {
        id: SEED.workflow.docExample,
      });
      const task = body.data?.workflowTask as Record<string, any>;
      expect(task).toMatchObject({
        taskId: '********-67fd-43aa-9cc1-3e7f********',
        status: 'SUCCEEDED',
        state: 'SUCCEEDED',
        inputs: {
          source_language_id: 'en',
          live_id: 123,
          live_url: { url: 'rtmp://test.com.cn/video/638d9088fe4f15ce' },
        },
        createTime: '2025-07-28T02:17:26Z',
        finishTime: '2025-08-19T02:28:22Z',
        durationSeconds: 1901456,
        outputs: { result: 'test' },
        userData: { NotifyAddress: 'http://xx.xx.xxx' },
        notifyAddress: 'http://xx.xx.xxx',
        version: '****ec0a-e3b9-40b1-abf2-6549d00e****',
        nodeResults: null,
      });
      expect(task.workflow).toMatchObject({ name: 'RealtimeTranslation', status: 'DRAFT', type: 'Live', graph: null });
      const errors = body.errors ?? [];
      expect(errors.map((error) => [error.path, error.extensions?.code]).sort()).toEqual(
        [
          [['workflowTask', 'nodeResults'], 'UPSTREAM_BAD_RESPONSE'],
          [['workflowTask', 'workflow', 'graph'], 'UPSTREAM_BAD_RESPONSE'],
        ].sort(),
      );
      for (const error of errors) expect(error.extensions?.provider).toBe('alibaba-ice');
    });

    it('keeps what the doc example sent for Graph and NodeResults reachable as graphSource and nodeResultsSource', async () => {
      const { body } = await stack.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { nodeResultsSource nodeResultsSkipped nodeResultsWarnings { path } workflow { graphSource } } }`,
        { id: SEED.workflow.docExample },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.workflowTask).toEqual({
        nodeResultsSource: '{...}',
        nodeResultsSkipped: null,
        nodeResultsWarnings: [],
        workflow: { graphSource: '{\n"nodes":[...],\n"edges":[...]\n}' },
      });
    });

    it('reads a node map, next/children lists and wrapped node results, naming what it skipped', async () => {
      const { body } = await stack.query(
        `query ($id: ID!) { workflowTask(taskId: $id) {
          nodeResults { nodeId status } nodeResultsSkipped nodeResultsWarnings { part index key path reason skipped }
          workflow { graphSource graph { nodes { id type name result { status } } edges { source target properties }
            skipped warnings { part index key path reason skipped } } } } }`,
        { id: SEED.workflow.graphShapes },
      );
      expect(body.errors).toBeUndefined();
      const task = body.data?.workflowTask as Record<string, any>;
      expect(task.nodeResults).toEqual([
        { nodeId: 'start', status: 'succeeded' },
        { nodeId: 'asr_1', status: 'succeeded' },
        { nodeId: 'llm_1', status: 'running' },
      ]);
      expect(task.nodeResultsSkipped).toBe(1);
      expect(task.nodeResultsWarnings).toEqual([
        {
          part: 'NODE_RESULT',
          index: 3,
          key: null,
          path: 'nodes[3]',
          reason: expect.stringContaining('no node id'),
          skipped: true,
        },
      ]);
      const graph = task.workflow.graph;
      expect(graph.nodes.map((node: Record<string, any>) => [node.id, node.type, node.result?.status ?? null])).toEqual(
        [
          ['start', 'Start', 'succeeded'],
          ['asr_1', 'ASR', 'succeeded'],
          ['llm_1', 'LLM', 'running'],
          ['end', 'End', null],
        ],
      );
      expect(graph.edges).toEqual([
        { source: 'start', target: 'asr_1', properties: null },
        { source: 'asr_1', target: 'llm_1', properties: { label: 'transcript' } },
        { source: 'llm_1', target: 'end', properties: null },
      ]);
      expect(graph.skipped).toBe(2);
      expect(graph.warnings).toEqual([
        {
          part: 'NODE',
          index: 4,
          key: 'note',
          path: 'Nodes.note',
          reason: 'expected an object, got a string',
          skipped: true,
        },
        {
          part: 'EDGE',
          index: 1,
          key: null,
          path: 'Edges[1]',
          reason: expect.stringContaining('no source'),
          skipped: true,
        },
      ]);
      expect(task.workflow.graphSource.Nodes.note).toBe('a sticky note the console keeps beside the nodes');
    });

    it('draws the graph as Mermaid text and a layout, each node in its result state', async () => {
      const { body } = await stack.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { workflow { graph { mermaid
          layout(direction: TB) { direction width height nodes { id x y width height label state } edges { source target points { x y } } } } } } }`,
        { id: SEED.workflow.failed },
      );
      expect(body.errors).toBeUndefined();
      const graph = (body.data?.workflowTask as Record<string, any>).workflow.graph;
      expect(graph.mermaid).toMatch(/^flowchart LR\n/);
      expect(graph.mermaid).toContain('class n0,n1 succeeded');
      expect(graph.mermaid).toContain('class n2 failed');
      expect(graph.mermaid).toContain('class n3,n4,n5 no_result');
      expect(graph.layout.direction).toBe('TB');
      expect(graph.layout.nodes.map((node: Record<string, unknown>) => [node.id, node.state])).toEqual([
        ['start', 'SUCCEEDED'],
        ['asr_1', 'SUCCEEDED'],
        ['llm_1', 'FAILED'],
        ['code_1', 'NO_RESULT'],
        ['http_1', 'NO_RESULT'],
        ['end', 'NO_RESULT'],
      ]);
      expect(graph.layout.edges).toHaveLength(5);
      for (const edge of graph.layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
    });

    it('lays out left to right by default', async () => {
      const { body } = await stack.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { workflow { graph { layout { direction nodes { id } } } } } }`,
        { id: SEED.workflow.graphShapes },
      );
      expect(body.errors).toBeUndefined();
      expect((body.data?.workflowTask as Record<string, any>).workflow.graph.layout).toEqual({
        direction: 'LR',
        nodes: [{ id: 'start' }, { id: 'asr_1' }, { id: 'llm_1' }, { id: 'end' }],
      });
    });

    it('returns an irregular graph with the readable nodes and edges, and the skips visible', async () => {
      const { body } = await stack.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { workflow { graph { nodes { id } edges { source target } skipped warnings { part index skipped } } } } }`,
        { id: SEED.workflow.irregularGraph },
      );
      expect(body.errors).toBeUndefined();
      const graph = (body.data?.workflowTask as Record<string, any>).workflow.graph;
      expect(graph.nodes.map((node: { id: string }) => node.id)).toEqual(['start', 'start', 'end']);
      expect(graph.edges).toEqual([
        { source: 'start', target: 'end' },
        { source: 'start', target: 'ghost' },
      ]);
      expect(graph.skipped).toBe(2);
      expect(graph.warnings).toEqual([
        { part: 'NODE', index: 1, skipped: true },
        { part: 'NODE', index: 2, skipped: false },
        { part: 'EDGE', index: 2, skipped: true },
      ]);
    });

    it('returns a multi-node graph with each node joined to its own result', async () => {
      const { body } = await stack.query(`query ($id: ID!) { workflowTask(taskId: $id) { ${WORKFLOW_FIELDS} } }`, {
        id: SEED.workflow.succeeded,
      });
      expect(body.errors).toBeUndefined();
      const task = body.data?.workflowTask as Record<string, any>;
      expect(task.state).toBe('SUCCEEDED');
      expect(task.durationSeconds).toBe(42 * 60 + 18);
      const nodes = task.workflow.graph.nodes as Array<Record<string, any>>;
      expect(nodes.map((node) => node.id)).toEqual(['start', 'asr_1', 'llm_1', 'code_1', 'http_1', 'end']);
      expect(nodes.find((node) => node.id === 'llm_1')).toMatchObject({
        type: 'LLM',
        result: { nodeId: 'llm_1', status: 'succeeded', output: { text: 'Hello everyone, welcome.' } },
      });
      expect(task.workflow.graph.edges).toHaveLength(5);
      expect(task.workflow.graph.edges[2]).toMatchObject({ source: 'llm_1', target: 'code_1' });
      expect(task.nodeResults).toHaveLength(6);
      expect(task.outputs).toEqual({ result: 'Hello everyone, welcome.' });
    });

    it.each([
      ['running', 'RUNNING', 'RUNNING'],
      ['succeeded', 'SUCCEEDED', 'SUCCEEDED'],
      ['failed', 'FAILED', 'FAILED'],
      ['partialSucceeded', 'PARTIAL_SUCCEEDED', 'PARTIALLY_SUCCEEDED'],
      ['stopped', 'STOPPED', 'STOPPED'],
      ['unknownStatus', 'UNKNOWN', 'UNKNOWN'],
    ])('maps the %s task to status %s and state %s', async (name, status, state) => {
      const { body } = await stack.query(`query ($id: ID!) { workflowTask(taskId: $id) { status state } }`, {
        id: SEED.workflow[name],
      });
      expect(body.errors).toBeUndefined();
      expect(body.data?.workflowTask).toEqual({ status, state });
    });

    it('parses JSON fields sent as objects, as strings and double-encoded to the same values', async () => {
      const query = `query ($ids: [ID!]!) { workflowTasks(taskIds: $ids) {
        inputs outputs userData nodeResults { nodeId output } workflow { graph { nodes { id } edges { source target } } } } }`;
      const { body } = await stack.query(query, {
        ids: [SEED.workflow.jsonObjects, SEED.workflow.jsonStrings, SEED.workflow.doubleEncoded],
      });
      expect(body.errors).toBeUndefined();
      const [objects, strings, doubled] = body.data?.workflowTasks as unknown[];
      // The objects and double-encoded seeds carry the same data; the string seed differs but must type the same way.
      expect(doubled).toEqual(objects);
      for (const task of [objects, strings] as Array<Record<string, any>>) {
        expect(task.inputs).toEqual(expect.objectContaining({ source_language_id: expect.any(String) }));
        expect(task.outputs).toEqual({ result: expect.any(String) });
        expect(task.userData).toEqual({ NotifyAddress: expect.any(String) });
        expect(task.workflow.graph.nodes.length).toBeGreaterThan(1);
        expect(task.nodeResults.length).toBe(task.workflow.graph.nodes.length);
      }
    });

    it('keeps a malformed JSON string as it came and resolves every other field', async () => {
      const { body } = await stack.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { taskId state inputs outputs userData } }`,
        {
          id: SEED.workflow.malformedJson,
        },
      );
      expect(body.errors).toBeUndefined();
      const task = body.data?.workflowTask as Record<string, unknown>;
      expect(task.taskId).toBe(SEED.workflow.malformedJson);
      expect(typeof task.inputs).toBe('string');
    });

    it.each(['nullFields', 'absentFields', 'emptyStrings'])(
      'resolves the %s task with nulls and no errors',
      async (name) => {
        const { body } = await stack.query(`query ($id: ID!) { workflowTask(taskId: $id) { ${WORKFLOW_FIELDS} } }`, {
          id: SEED.workflow[name],
        });
        expect(body.errors).toBeUndefined();
        expect(body.data?.workflowTask).toMatchObject({ taskId: SEED.workflow[name] });
      },
    );
  });

  describe('lists', () => {
    it('keep the order of taskIds, one entry per id, with one upstream call per distinct id', async () => {
      const ids = [
        SEED.image.waiting,
        SEED.image.processing,
        SEED.image.waiting,
        SEED.image.finishedSuccess,
        SEED.image.processing,
      ];
      const { body } = await stack.query(`query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }`, { ids });
      expect(body.errors).toBeUndefined();
      expect((body.data?.imageTasks as Array<{ taskId: string }>).map((task) => task.taskId)).toEqual(ids);
      expect(stack.emulator.callCount({ provider: 'tencent-mps' })).toBe(3);
    });

    it('share one upstream call between a list and a single field naming the same id', async () => {
      const id = SEED.workflow.succeeded;
      const { body } = await stack.query(
        `query ($id: ID!, $ids: [ID!]!) { one: workflowTask(taskId: $id) { taskId } many: workflowTasks(taskIds: $ids) { taskId } }`,
        { id, ids: [id, SEED.workflow.running, id] },
      );
      expect(body.errors).toBeUndefined();
      expect(stack.emulator.callCount({ provider: 'alibaba-ice' })).toBe(2);
    });

    it('answer null plus an error at its index for each id that failed, and data for the rest', async () => {
      const ids = [SEED.image.waiting, 'no-such-task', '', SEED.image.finishedSuccess];
      const { body } = await stack.query(`query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }`, { ids });
      expect(body.data?.imageTasks).toEqual([
        { taskId: SEED.image.waiting },
        null,
        null,
        { taskId: SEED.image.finishedSuccess },
      ]);
      const byIndex = Object.fromEntries((body.errors ?? []).map((error) => [error.path?.[1], error.extensions]));
      expect(byIndex[1]).toMatchObject({
        code: 'NOT_FOUND',
        provider: 'tencent-mps',
        providerCode: 'ResourceNotFound',
        requestId: expect.any(String),
      });
      expect(byIndex[2]).toMatchObject({ code: 'BAD_USER_INPUT' });
      // The refused empty id never reached the provider.
      expect(stack.emulator.callCount({ provider: 'tencent-mps' })).toBe(3);
    });

    it('refuse more ids than the limit before calling the provider', async () => {
      const ids = Array.from({ length: 101 }, (_, i) => `task-${i}`);
      const { body } = await stack.query(`query ($ids: [ID!]!) { workflowTasks(taskIds: $ids) { taskId } }`, { ids });
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message).toContain('at most 100');
      expect(stack.emulator.callCount()).toBe(0);
    });
  });

  describe('errors', () => {
    it.each([
      ['empty', ''],
      ['over-long', 'x'.repeat(129)],
      ['malformed', 'a b/c'],
    ])('refuse an %s task id with BAD_USER_INPUT', async (_what, id) => {
      const { body } = await stack.query(`query ($id: ID!) { workflowTask(taskId: $id) { taskId } }`, { id });
      expect(body.data?.workflowTask).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(stack.emulator.callCount()).toBe(0);
    });

    it('answer NOT_FOUND for an unknown workflow task', async () => {
      const { body } = await stack.query(`{ workflowTask(taskId: "0000-unknown") { taskId } }`);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', provider: 'alibaba-ice' });
    });

    it.each([
      ['throttle', 'RATE_LIMITED'],
      ['internal-error', 'UPSTREAM_UNAVAILABLE'],
      ['unavailable', 'UPSTREAM_UNAVAILABLE'],
      ['non-json', 'UPSTREAM_BAD_RESPONSE'],
      ['drop-connection', 'UPSTREAM_UNAVAILABLE'],
    ] as const)('map an upstream %s to %s for that task only', async (kind, code) => {
      stack.emulator.injectFault({ provider: 'tencent-mps', taskId: SEED.image.waiting }, { kind });
      const { body } = await stack.query(`query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId state } }`, {
        ids: [SEED.image.waiting, SEED.image.processing],
      });
      expect(body.data?.imageTasks).toEqual([null, { taskId: SEED.image.processing, state: 'RUNNING' }]);
      expect(body.errors?.[0]?.extensions?.code).toBe(code);
      expect(body.errors?.[0]?.path).toEqual(['imageTasks', 0]);
    });

    it('never include a stack trace outside development', async () => {
      const { body } = await stack.query(`{ imageTask(taskId: "no-such-task") { taskId } }`);
      expect(body.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
      expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
    });

    it('answer a malformed body with a GraphQL-shaped 400', async () => {
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query": ',
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('entities', () => {
    it('resolve _entities representations through the loaders, one call per distinct id', async () => {
      const representations = [
        { __typename: 'ImageTask', taskId: SEED.image.finishedSuccess },
        { __typename: 'WorkflowTask', taskId: SEED.workflow.succeeded },
        { __typename: 'ImageTask', taskId: SEED.image.finishedSuccess },
        { __typename: 'ImageTask', taskId: 'no-such-task' },
      ];
      const { body } = await stack.query(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) {
          ... on ImageTask { taskId state } ... on WorkflowTask { taskId state } } }`,
        { representations },
      );
      expect(body.data?._entities).toEqual([
        { taskId: SEED.image.finishedSuccess, state: 'SUCCEEDED' },
        { taskId: SEED.workflow.succeeded, state: 'SUCCEEDED' },
        { taskId: SEED.image.finishedSuccess, state: 'SUCCEEDED' },
        null,
      ]);
      expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(stack.emulator.callCount({ provider: 'tencent-mps' })).toBe(2);
      expect(stack.emulator.callCount({ provider: 'alibaba-ice' })).toBe(1);
    });

    it('publish the federation SDL with both entities keyed by taskId', async () => {
      const { body } = await stack.query('{ _service { sdl } }');
      const sdl = (body.data?._service as { sdl: string }).sdl;
      expect(sdl).toContain('type ImageTask implements MediaTask');
      expect(sdl).toMatch(/type WorkflowTask implements MediaTask\s+@key\(fields: "taskId"\)/);
    });
  });

  describe('cache hints', () => {
    const maxAgeOf = (headers: { get(name: string): string | null }): string | null => headers.get('cache-control');

    it('let a finished task be cached for the terminal TTL, nested fields included', async () => {
      const { headers, body } = await stack.query(
        `query ($id: ID!) { workflowTask(taskId: $id) { ${WORKFLOW_FIELDS} } }`,
        {
          id: SEED.workflow.succeeded,
        },
      );
      expect(body.errors).toBeUndefined();
      expect(maxAgeOf(headers)).toBe('max-age=600, public');
    });

    it('let a running task be cached only for the running TTL', async () => {
      const { headers } = await stack.query(
        `query ($id: ID!) { imageTask(taskId: $id) { taskId results { output { path } } } }`,
        {
          id: SEED.image.processing,
        },
      );
      expect(maxAgeOf(headers)).toBe('max-age=2, public');
    });

    it('give a list the max-age of its least stable task', async () => {
      const { headers } = await stack.query(`query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }`, {
        ids: [SEED.image.finishedSuccess, SEED.image.waiting],
      });
      expect(maxAgeOf(headers)).toBe('max-age=2, public');
    });

    it('set entity hints in __resolveReference', async () => {
      const { headers } = await stack.query(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ImageTask { taskId state } } }`,
        { representations: [{ __typename: 'ImageTask', taskId: SEED.image.finishedSuccess }] },
      );
      expect(maxAgeOf(headers)).toBe('max-age=600, public');
    });

    it('never mark a response with errors as cacheable', async () => {
      const { headers } = await stack.query(`query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }`, {
        ids: [SEED.image.finishedSuccess, 'no-such-task'],
      });
      expect(maxAgeOf(headers) ?? 'no-store').not.toMatch(/max-age=[1-9]/);
    });
  });

  describe('HTTP', () => {
    it('serves liveness and readiness', async () => {
      expect((await fetch(new URL('/health', stack.url))).status).toBe(200);
      expect((await fetch(new URL('/ready', stack.url))).status).toBe(200);
    });

    it('serves GraphQL at /graphql as well as /', async () => {
      const response = await fetch(new URL('/graphql', stack.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    });

    it('refuses a simple GET query without a preflight header (CSRF prevention)', async () => {
      const response = await fetch(new URL('/graphql?query=%7B__typename%7D', stack.url));
      expect(response.status).toBe(400);
    });
  });
});
