import type { WorkflowTaskModel } from '../../src/parsing/models.js';
import { notifyAddressOf, parseWorkflowTask } from '../../src/parsing/workflow-task.js';
import { ALIBABA_DOC_RESPONSE, ALIBABA_DOC_TASK_ID } from '../fixtures/doc-examples.js';

const TASK_ID = 'wf-task-1';

function task(fields: Record<string, unknown>): WorkflowTaskModel {
  return parseWorkflowTask(TASK_ID, { RequestId: 'req-1', WorkflowTask: fields });
}

describe('parseWorkflowTask', () => {
  it('parses the doc example', () => {
    const body: unknown = JSON.parse(ALIBABA_DOC_RESPONSE);
    expect(parseWorkflowTask(ALIBABA_DOC_TASK_ID, body)).toEqual({
      taskId: '********-266c-4bb8-b20c-6faa********',
      status: 'SUCCEEDED',
      state: 'SUCCEEDED',
      inputs: {
        source_language_id: 'en',
        live_id: 123,
        live_url: { url: 'rtmp://test.com.cn/video/638d9088fe4f15ce' },
      },
      createTime: '2025-07-28T02:17:26Z',
      finishTime: '2025-08-19T02:28:22Z',
      durationSeconds: 22 * 86400 + 10 * 60 + 56, // 2025-07-28T02:17:26Z -> 2025-08-19T02:28:22Z
      workflow: {
        workflowId: '****3f44-f1f6-477e-9364-c5e6c49e****',
        name: 'RealtimeTranslation',
        status: 'DRAFT',
        type: 'Live',
        createTime: '2025-08-20T01:35:04Z',
        modifiedTime: '2025-08-20T01:35:04Z',
        version: '****ec0a-e3b9-40b1-abf2-6549d00e****',
        graph: {
          ok: false,
          reason: expect.stringContaining('not valid JSON'),
          raw: '{\n"nodes":[...],\n"edges":[...]\n}',
        },
        // What the provider sent stays reachable, exactly, even though it is not JSON.
        graphSource: '{\n"nodes":[...],\n"edges":[...]\n}',
      },
      nodeResults: { ok: false, reason: expect.stringContaining('not valid JSON'), raw: '{...}' },
      nodeResultsSource: '{...}',
      outputs: { result: 'test' },
      userData: { NotifyAddress: 'http://xx.xx.xxx' },
      notifyAddress: 'http://xx.xx.xxx',
      version: '****ec0a-e3b9-40b1-abf2-6549d00e****',
      requestId: '******11-DB8D-4A9A-875B-275798******',
      terminal: true,
      signedUrlsExpireAt: null,
    });
  });

  it('uses the requested taskId, not the echoed one', () => {
    expect(task({ TaskId: 'echoed' }).taskId).toBe(TASK_ID);
  });

  describe('status, state and terminal', () => {
    it.each([
      ['running', 'RUNNING', 'RUNNING', false],
      ['stopped', 'STOPPED', 'STOPPED', true],
      ['failed', 'FAILED', 'FAILED', true],
      ['partial-succeeded', 'PARTIAL_SUCCEEDED', 'PARTIALLY_SUCCEEDED', true],
      ['succeeded', 'SUCCEEDED', 'SUCCEEDED', true],
      ['Succeeded', 'SUCCEEDED', 'SUCCEEDED', true],
      ['RUNNING', 'RUNNING', 'RUNNING', false],
      ['Partial-Succeeded', 'PARTIAL_SUCCEEDED', 'PARTIALLY_SUCCEEDED', true],
      ['partial_succeeded', 'PARTIAL_SUCCEEDED', 'PARTIALLY_SUCCEEDED', true],
      [' failed ', 'FAILED', 'FAILED', true],
      ['queued', 'UNKNOWN', 'UNKNOWN', false],
      ['', 'UNKNOWN', 'UNKNOWN', false],
      [1, 'UNKNOWN', 'UNKNOWN', false],
      [null, null, 'UNKNOWN', false],
      [undefined, null, 'UNKNOWN', false],
    ])('Status %p -> %p / %p, terminal %p', (Status, status, state, terminal) => {
      const parsed = task({ Status });
      expect([parsed.status, parsed.state, parsed.terminal]).toEqual([status, state, terminal]);
    });
  });

  describe('workflow status', () => {
    it.each([
      ['Draft', 'DRAFT'],
      ['Published', 'PUBLISHED'],
      ['Editing', 'EDITING'],
      ['PUBLISHED', 'PUBLISHED'],
      ['draft', 'DRAFT'],
      ['Archived', 'UNKNOWN'],
      [3, 'UNKNOWN'],
      [null, null],
    ])('%p -> %p', (Status, status) => {
      expect(task({ Workflow: { Status } }).workflow?.status).toBe(status);
    });
  });

  describe('JSON fields inputs, outputs, userData', () => {
    const value = { a: 1, nested: { b: [true] } };
    const text = JSON.stringify(value);

    it.each([
      ['an object', value],
      ['JSON text', text],
      ['double-encoded text', JSON.stringify(text)],
      ['backslash-escaped text', JSON.stringify(text).slice(1, -1)],
    ])('decode %s', (_label, field) => {
      const parsed = task({ Inputs: field, Outputs: field, UserData: field });
      expect([parsed.inputs, parsed.outputs, parsed.userData]).toEqual([value, value, value]);
    });

    it('keep text that is not JSON as sent', () => {
      const parsed = task({ Inputs: '{...}', Outputs: 'plain words', UserData: '' });
      expect([parsed.inputs, parsed.outputs, parsed.userData]).toEqual(['{...}', 'plain words', '']);
    });

    it('keep JSON scalars in strings as the string', () => {
      expect(task({ Outputs: '42' }).outputs).toBe('42');
      expect(task({ Outputs: 42 }).outputs).toBe(42);
    });

    it('are null when absent or null', () => {
      const parsed = task({ Inputs: null });
      expect([parsed.inputs, parsed.outputs, parsed.userData]).toEqual([null, null, null]);
    });
  });

  describe('notifyAddress', () => {
    it.each([
      [{ NotifyAddress: 'http://a' }, 'http://a'],
      [{ notifyAddress: 'http://b' }, 'http://b'],
      [{ notify_address: 'http://c' }, 'http://c'],
      [{ notifyAddress: 'http://lower', NotifyAddress: 'http://exact' }, 'http://exact'],
      [{ NotifyAddress: '' }, null],
      [{ NotifyAddress: 5 }, null],
      [{ other: 'x' }, null],
    ])('from %p', (userData, address) => {
      expect(task({ UserData: JSON.stringify(userData) }).notifyAddress).toBe(address);
      expect(task({ UserData: userData }).notifyAddress).toBe(address);
    });

    it('is null when userData is not an object', () => {
      expect(task({ UserData: '{NotifyAddress: x}' }).notifyAddress).toBeNull();
      expect(task({ UserData: '["http://a"]' }).notifyAddress).toBeNull();
      expect(notifyAddressOf(null)).toBeNull();
      expect(notifyAddressOf('NotifyAddress')).toBeNull();
    });

    it('reads the doc spelling from the escaped encoding', () => {
      const text = JSON.stringify({ NotifyAddress: 'http://xx.xx.xxx' });
      expect(task({ UserData: JSON.stringify(text).slice(1, -1) }).notifyAddress).toBe('http://xx.xx.xxx');
    });
  });

  describe('graph and nodeResults failures stay local', () => {
    it('an unparseable graph and node results leave every other field intact', () => {
      const parsed = task({
        Status: 'succeeded',
        Inputs: '{"x":1}',
        CreateTime: '2025-01-01T00:00:00Z',
        FinishTime: '2025-01-01T00:01:00Z',
        NodeResults: '{...}',
        Workflow: { Name: 'W', Status: 'Published', Graph: '{"nodes":[...]}' },
      });
      expect(parsed).toMatchObject({
        status: 'SUCCEEDED',
        inputs: { x: 1 },
        durationSeconds: 60,
        nodeResults: { ok: false, raw: '{...}' },
        workflow: { name: 'W', status: 'PUBLISHED', graph: { ok: false, raw: '{"nodes":[...]}' } },
        requestId: 'req-1',
      });
    });

    it('parses a good graph and node results', () => {
      const parsed = task({
        NodeResults: JSON.stringify({ n1: { status: 'succeeded', output: 'ok' } }),
        Workflow: { Graph: JSON.stringify({ nodes: [{ id: 'n1', type: 'Start' }], edges: [] }) },
      });
      expect(parsed.workflow?.graph).toEqual({
        ok: true,
        value: {
          nodes: [{ id: 'n1', type: 'Start', name: null, properties: null }],
          edges: [],
          skipped: 0,
          warnings: [],
        },
      });
      expect(parsed.nodeResults).toEqual({
        ok: true,
        value: {
          results: [
            {
              nodeId: 'n1',
              status: 'succeeded',
              output: 'ok',
              error: null,
              raw: { status: 'succeeded', output: 'ok' },
            },
          ],
          skipped: 0,
          warnings: [],
        },
      });
    });

    it('graph and nodeResults are null when absent or blank', () => {
      const parsed = task({ Workflow: { Graph: '' }, NodeResults: null });
      expect(parsed.workflow?.graph).toBeNull();
      expect(parsed.nodeResults).toBeNull();
    });
  });

  describe('null everywhere', () => {
    const empty: WorkflowTaskModel = {
      taskId: TASK_ID,
      status: null,
      state: 'UNKNOWN',
      inputs: null,
      createTime: null,
      finishTime: null,
      durationSeconds: null,
      workflow: null,
      nodeResults: null,
      nodeResultsSource: null,
      outputs: null,
      userData: null,
      notifyAddress: null,
      version: null,
      requestId: null,
      terminal: false,
      signedUrlsExpireAt: null,
    };

    it.each([undefined, null, 'text', 42, [], {}, { WorkflowTask: null }, { WorkflowTask: 'x' }])(
      'gives an empty model for %p',
      (body) => {
        expect(parseWorkflowTask(TASK_ID, body)).toEqual(empty);
      },
    );

    it('keeps the RequestId when the task is missing', () => {
      expect(parseWorkflowTask(TASK_ID, { RequestId: 'r' })).toEqual({ ...empty, requestId: 'r' });
    });

    it('gives null fields for a workflow object with every field null', () => {
      const fields = ['WorkflowId', 'Name', 'Status', 'Type', 'CreateTime', 'ModifiedTime', 'Version', 'Graph'];
      expect(task({ Workflow: Object.fromEntries(fields.map((f) => [f, null])) }).workflow).toEqual({
        workflowId: null,
        name: null,
        status: null,
        type: null,
        createTime: null,
        modifiedTime: null,
        version: null,
        graph: null,
        graphSource: null,
      });
    });

    it('gives null fields for a task with every field null', () => {
      const fields = [
        'TaskId',
        'Status',
        'Inputs',
        'CreateTime',
        'FinishTime',
        'NodeResults',
        'Outputs',
        'UserData',
        'Version',
        'Workflow',
      ];
      expect(task(Object.fromEntries(fields.map((f) => [f, null])))).toEqual({ ...empty, requestId: 'req-1' });
    });
  });

  it('accepts an already unwrapped task', () => {
    expect(parseWorkflowTask(TASK_ID, { TaskId: 'x', Status: 'running' })).toMatchObject({
      status: 'RUNNING',
      terminal: false,
    });
  });

  it('normalises times and computes the duration; running tasks have no finish', () => {
    expect(task({ Status: 'running', CreateTime: '2025-07-28T10:17:26.5+08:00' })).toMatchObject({
      createTime: '2025-07-28T02:17:26Z',
      finishTime: null,
      durationSeconds: null,
    });
    expect(task({ CreateTime: '2025-07-28T02:17:26Z', FinishTime: '2025-07-28T02:17:20Z' }).durationSeconds).toBeNull();
  });
});
