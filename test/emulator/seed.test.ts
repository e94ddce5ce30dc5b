import { SEED, SEED_S3_SECRETS, sampleTaskIds, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { alibabaRequest, fixedClock, json, send, tencentRequest, tencentResponse } from './helpers.js';

type Task = Record<string, unknown>;

describe('emulator seed data', () => {
  let emulator: RunningEmulator;
  const imageTask = async (taskId: string): Promise<Task> =>
    tencentResponse(await send(emulator.url, tencentRequest(emulator.url, { taskId })));
  const workflowTask = async (taskId: string): Promise<Task> =>
    json(await send(emulator.url, alibabaRequest(emulator.url, { taskId })))['WorkflowTask'] as Task;
  const parseTwice = (value: unknown): unknown => JSON.parse(JSON.parse(value as string) as string) as unknown;

  beforeAll(async () => {
    emulator = await startEmulator({ now: fixedClock });
  });
  afterAll(() => emulator.close());

  it('serves every seeded id, with unique realistic ids', async () => {
    for (const taskId of Object.values(SEED.image)) expect((await imageTask(taskId))['Error']).toBeUndefined();
    for (const taskId of Object.values(SEED.workflow)) expect((await workflowTask(taskId))['TaskId']).toBe(taskId);
    const ids = [...Object.values(SEED.image), ...Object.values(SEED.workflow)];
    expect(new Set(ids).size).toBe(ids.length);
    const unmasked = (id: string) => !id.includes('*');
    expect(
      Object.values(SEED.image)
        .filter(unmasked)
        .every((id) => /^24000089-WorkflowTask-[0-9a-f]{32}$/.test(id)),
    ).toBe(true);
    expect(
      Object.values(SEED.workflow)
        .filter(unmasked)
        .every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)),
    ).toBe(true);
  });

  it('covers every Tencent task status, null and an unknown one', async () => {
    const statuses = await Promise.all(Object.values(SEED.image).map(async (id) => (await imageTask(id))['Status']));
    expect(new Set(statuses)).toEqual(new Set(['WAITING', 'PROCESSING', 'FINISH', null, 'PAUSED']));
  });

  it('covers every Tencent result status', async () => {
    const results = (await Promise.all(Object.values(SEED.image).map(imageTask))).flatMap(
      (task) => (task['ImageProcessTaskResultSet'] as Task[] | null | undefined) ?? [],
    );
    expect(new Set(results.map((result) => result['Status']))).toEqual(
      new Set(['SUCCESS', 'PROCESSING', 'FAIL', 'QUEUED']),
    );
  });

  it('has the documented task failure (ErrCode 40000, FaceNotFound)', async () => {
    expect(await imageTask(SEED.image.finishedFaceNotFound)).toMatchObject({
      Status: 'FINISH',
      ErrCode: 40000,
      ErrMsg: 'InvalidParameterValue.FaceNotFound',
      Message: 'Face Not Found',
    });
  });

  it('has outputs of every kind: COS with SignedUrl and Path, image-understanding Content, VOD FileId', async () => {
    const outputs = ((await imageTask(SEED.image.finishedSuccess))['ImageProcessTaskResultSet'] as Task[]).map(
      (result) => result['Output'] as Task,
    );
    expect(outputs[0]).toMatchObject({
      Path: expect.any(String),
      SignedUrl: expect.stringMatching(/^https:/),
      OutputStorage: { Type: 'COS' },
    });
    expect(outputs[1]?.['Content']).toEqual(expect.any(String));
    expect(outputs[2]).toMatchObject({ FileId: expect.any(String), OutputStorage: { Type: 'VOD' } });
  });

  it('echoes caller S3 keys in the S3 task, so the subgraph can prove it strips them', async () => {
    const response = await send(emulator.url, tencentRequest(emulator.url, { taskId: SEED.image.s3Output }));
    expect(response.text).toContain(SEED_S3_SECRETS.secretId);
    expect(response.text).toContain(SEED_S3_SECRETS.secretKey);
  });

  it('covers every Alibaba task status, an unknown one, null and absent', async () => {
    const tasks = await Promise.all(Object.values(SEED.workflow).map(workflowTask));
    expect(new Set(tasks.map((task) => task['Status']))).toEqual(
      new Set(['running', 'stopped', 'failed', 'partial-succeeded', 'succeeded', 'paused', null, undefined]),
    );
    expect(await workflowTask(SEED.workflow.running)).not.toHaveProperty('FinishTime');
    expect(Object.keys(await workflowTask(SEED.workflow.absentFields))).toEqual(['TaskId']);
  });

  it('covers every workflow template status and an unknown one', async () => {
    const tasks = await Promise.all(Object.values(SEED.workflow).map(workflowTask));
    const statuses = new Set(tasks.map((task) => (task['Workflow'] as Task | undefined)?.['Status']));
    expect(statuses).toEqual(new Set(['Draft', 'Published', 'Archived', null, undefined]));
  });

  it('has a real graph Start → ASR → LLM → Code → HTTP → End with mixed id and edge spellings', async () => {
    const workflow = (await workflowTask(SEED.workflow.succeeded))['Workflow'] as Task;
    const graph = JSON.parse(workflow['Graph'] as string) as { nodes: Task[]; edges: Task[] };
    expect(graph.nodes.map((node) => node['type'])).toEqual(['Start', 'ASR', 'LLM', 'Code', 'HTTP', 'End']);
    expect(graph.nodes.map((node) => node['id'] ?? node['Id'] ?? node['nodeId'])).toEqual([
      'start',
      'asr_1',
      'llm_1',
      'code_1',
      'http_1',
      'end',
    ]);
    expect(graph.nodes.some((node) => 'Id' in node) && graph.nodes.some((node) => 'nodeId' in node)).toBe(true);
    expect(graph.edges.some((edge) => 'source' in edge) && graph.edges.some((edge) => 'from' in edge)).toBe(true);
  });

  it('has NodeResults keyed by node id (string), as an array with nodeId, and with a node error', async () => {
    const keyed = JSON.parse((await workflowTask(SEED.workflow.succeeded))['NodeResults'] as string) as Record<
      string,
      Task
    >;
    expect(Object.keys(keyed)).toEqual(['start', 'asr_1', 'llm_1', 'code_1', 'http_1', 'end']);
    expect(keyed['llm_1']).toEqual({ status: 'succeeded', output: { text: 'Hello everyone, welcome.' }, error: null });

    const list = JSON.parse((await workflowTask(SEED.workflow.partialSucceeded))['NodeResults'] as string) as Task[];
    expect(list.find((entry) => entry['status'] === 'failed')).toMatchObject({
      nodeId: 'http_1',
      error: expect.any(String),
    });

    const failed = JSON.parse((await workflowTask(SEED.workflow.failed))['NodeResults'] as string) as Record<
      string,
      Task
    >;
    expect(failed['llm_1']).toMatchObject({ status: 'failed', error: expect.any(String) });
  });

  it('has JSON fields as objects, as strings, double-encoded, malformed and empty', async () => {
    const objects = await workflowTask(SEED.workflow.jsonObjects);
    expect(typeof objects['Inputs']).toBe('object');
    expect(typeof (objects['Workflow'] as Task)['Graph']).toBe('object');

    const strings = await workflowTask(SEED.workflow.jsonStrings);
    for (const field of ['Inputs', 'NodeResults', 'UserData', 'Outputs'])
      expect(typeof JSON.parse(strings[field] as string)).toBe('object');

    const twice = await workflowTask(SEED.workflow.doubleEncoded);
    expect(typeof JSON.parse(twice['Inputs'] as string)).toBe('string');
    expect(parseTwice(twice['Outputs'])).toEqual({ result: 'Hello everyone, welcome.' });
    expect(parseTwice((twice['Workflow'] as Task)['Graph'])).toMatchObject({ nodes: expect.any(Array) });

    const malformed = await workflowTask(SEED.workflow.malformedJson);
    for (const field of ['Inputs', 'NodeResults', 'UserData', 'Outputs'])
      expect(() => JSON.parse(malformed[field] as string) as unknown).toThrow();

    const empty = await workflowTask(SEED.workflow.emptyStrings);
    expect([empty['Inputs'], empty['NodeResults'], (empty['Workflow'] as Task)['Graph']]).toEqual(['', '', '']);
  });

  it('offers sample ids that exist in the seed', () => {
    const samples = sampleTaskIds();
    expect(samples.image.every((id) => Object.values(SEED.image).includes(id))).toBe(true);
    expect(samples.workflow.every((id) => Object.values(SEED.workflow).includes(id))).toBe(true);
  });

  it('is frozen: editing SEED throws', () => {
    expect(() => {
      (SEED.image as Record<string, string>)['waiting'] = 'x';
    }).toThrow(TypeError);
  });

  describe('putImageTask / putWorkflowTask', () => {
    it('add or replace tasks for one emulator only, stored as a copy', async () => {
      const other = await startEmulator({ now: fixedClock });
      try {
        const added: { Status: string; TaskType: string; ImageProcessTaskResultSet: string[] } = {
          Status: 'WAITING',
          TaskType: 'WorkflowTask',
          ImageProcessTaskResultSet: [],
        };
        emulator.putImageTask('24000089-WorkflowTask-ffffffffffffffffffffffffffffffff', added);
        added.Status = 'edited later';
        emulator.putWorkflowTask(SEED.workflow.running, { TaskId: SEED.workflow.running, Status: 'succeeded' });

        expect(await imageTask('24000089-WorkflowTask-ffffffffffffffffffffffffffffffff')).toMatchObject({
          Status: 'WAITING',
        });
        expect((await workflowTask(SEED.workflow.running))['Status']).toBe('succeeded');
        const untouched = json(await send(other.url, alibabaRequest(other.url, { taskId: SEED.workflow.running })))[
          'WorkflowTask'
        ] as Task;
        expect(untouched['Status']).toBe('running');
      } finally {
        await other.close();
      }
    });
  });
});
