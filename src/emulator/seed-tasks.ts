/**
 * Tasks the emulator knows at start-up: every state and payload quirk the subgraph must survive,
 * each as the provider returns it (minus RequestId, minted per answer). The two doc examples are
 * verbatim, masked ids included. Sources: Tencent docs/api 862/118509 (CN) and 1041/70401 (EN),
 * DescribeImageTaskDetail; Alibaba api-ice-2020-11-09-getaiworkflowtask, GetAIWorkflowTask.
 */
import type { ImageTaskSeed, JsonObject, JsonValue, WorkflowTaskSeed } from './json.js';

/**
 * Caller-owned AWS keys that MPS echoes inside S3 storage/input objects. The subgraph
 * must never return them; tests grep responses for these exact values.
 */
export const SEED_S3_SECRETS = {
  secretId: 'AKIAEMULATORS3NEVERECHO',
  secretKey: 'emulatorS3SecretKey/MustNeverBeEchoed+0000',
} as const;

// ---------------------------------------------------------------- Tencent MPS

const COS_OUTPUT = {
  Type: 'COS',
  CosOutputStorage: { Bucket: 'media-output-1250000000', Region: 'ap-guangzhou' },
  S3OutputStorage: null,
  VODOutputStorage: null,
} as const;

const COS_INPUT = {
  Type: 'COS',
  CosInputInfo: { Bucket: 'media-input-1250000000', Region: 'ap-guangzhou', Object: '/input/portrait-01.jpg' },
  UrlInputInfo: null,
  S3InputInfo: null,
  VODInputInfo: null,
} as const;

const ENHANCE_TASK = {
  EncodeConfig: { Format: 'JPEG', Quality: 85 },
  EnhanceConfig: { SuperResolution: { Switch: 'ON', Type: 'lq', Size: 2 }, Denoise: { Switch: 'ON', Type: 'weak' } },
} as const;

function signedCosUrl(path: string): string {
  return (
    `https://media-output-1250000000.cos.ap-guangzhou.myqcloud.com${path}` +
    '?q-sign-algorithm=sha1&q-ak=AKIDEMULATORCOSSIGN&q-sign-time=1777881600%3B1777968000' +
    '&q-key-time=1777881600%3B1777968000&q-header-list=host&q-url-param-list=&q-signature=5c1e0c8f4b2d7a9e3f6b8d1c0a2e4f6b8d0c2e4f'
  );
}

const IMAGE_TASKS = {
  /** EN doc example, verbatim (its RequestId is replaced per answer). */
  docExampleFinished: {
    taskId: '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4',
    response: {
      CreateTime: '2025-05-16T07:44:26Z',
      FinishTime: '2025-05-16T07:44:30Z',
      RequestId: '147e6b46-efeb-48cf-9186-b195b2bf4f9d',
      Status: 'FINISH',
      TaskType: 'WorkflowTask',
    },
  },
  /** CN doc example, verbatim: masked id, PROCESSING, unused input branches null or empty. */
  docExampleProcessing: {
    taskId: '24******-WorkflowTask-***************tt6',
    response: {
      CreateTime: '2026-04-30T06:26:49Z',
      ImageTask: {
        BeautyConfig: {
          BeautyEffectItems: [{ ExtInfo: '', ResourcePath: '', Switch: 'ON', Type: 'Smooth', Value: 40 }],
        },
      },
      InputInfo: {
        CosInputInfo: { Bucket: '', Object: '', Region: '' },
        S3InputInfo: null,
        Type: 'URL',
        UrlInputInfo: { Url: 'http://***************.cos.ap-shanghai.tencentcos.cn/**********/01.jpeg' },
        VODInputInfo: null,
      },
      Status: 'PROCESSING',
      TaskType: 'WorkflowTask',
      RequestId: '1610103f-dd39-44ca-90ea-e533219d9b53',
    },
  },
  waiting: {
    taskId: '24000089-WorkflowTask-382a67e855d6a6f63e30abe0b540ac8b',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'WAITING',
      ErrCode: 0,
      ErrMsg: '',
      Message: '',
      ImageProcessTaskResultSet: [],
      CreateTime: '2026-05-04T08:00:00Z',
      FinishTime: null,
      Definition: 20001,
      ImageTask: ENHANCE_TASK,
      InputInfo: COS_INPUT,
    },
  },
  /** One result done, one still running with Progress. */
  processing: {
    taskId: '24000089-WorkflowTask-b27c79991ec929b7e12645457c54a25b',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'PROCESSING',
      ErrCode: 0,
      ErrMsg: '',
      Message: '',
      ImageProcessTaskResultSet: [
        {
          Status: 'SUCCESS',
          ErrMsg: '',
          Message: '',
          Progress: 100,
          Output: {
            Path: '/output/enhance/portrait-01.jpg',
            OutputStorage: COS_OUTPUT,
            SignedUrl: signedCosUrl('/output/enhance/portrait-01.jpg'),
          },
        },
        { Status: 'PROCESSING', ErrMsg: '', Message: '', Progress: 45, Output: null },
      ],
      CreateTime: '2026-05-04T08:01:10Z',
      FinishTime: null,
      Definition: 20001,
      ImageTask: ENHANCE_TASK,
      InputInfo: COS_INPUT,
    },
  },
  /** Every result SUCCESS: a COS file, an image-understanding text, a VOD standard-edition FileId. */
  finishedSuccess: {
    taskId: '24000089-WorkflowTask-256259dc52f1032af21688f1b3b9b09b',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'FINISH',
      ErrCode: 0,
      ErrMsg: '',
      Message: '',
      ImageProcessTaskResultSet: [
        {
          Status: 'SUCCESS',
          ErrMsg: '',
          Message: '',
          Progress: 100,
          Output: {
            Path: '/output/enhance/portrait-02.jpg',
            OutputStorage: COS_OUTPUT,
            SignedUrl: signedCosUrl('/output/enhance/portrait-02.jpg'),
          },
        },
        {
          Status: 'SUCCESS',
          ErrMsg: '',
          Message: '',
          Progress: 100,
          Output: {
            Path: '',
            OutputStorage: null,
            Content: 'A woman in a red wool coat stands on a snowy street at dusk; warm shop lights behind her.',
          },
        },
        {
          Status: 'SUCCESS',
          ErrMsg: '',
          Message: '',
          Progress: 100,
          Output: {
            Path: '/output/vod/portrait-02.png',
            OutputStorage: {
              Type: 'VOD',
              CosOutputStorage: null,
              S3OutputStorage: null,
              VODOutputStorage: {
                Bucket: 'vodbucket-1500000001',
                Region: 'ap-guangzhou',
                SubAppId: 1500000001,
                VodBasic: 1,
              },
            },
            SignedUrl:
              'https://1500000001.vod2.myqcloud.com/6c9a7b3dvodcq1500000001/output/vod/portrait-02.png?t=6a1f2b00&sign=0e5a8f9c',
            FileId: '5285890799710173650',
          },
        },
      ],
      CreateTime: '2026-05-04T07:50:02Z',
      FinishTime: '2026-05-04T07:50:41Z',
      Definition: 20002,
      ImageTask: {
        EncodeConfig: { Format: 'PNG' },
        UnderstandImageConfig: { Switch: 'ON', Prompt: 'Describe the image in one sentence.' },
      },
      InputInfo: {
        Type: 'URL',
        CosInputInfo: null,
        UrlInputInfo: { Url: 'https://assets.example.com/photos/portrait-02.jpg' },
        S3InputInfo: null,
        VODInputInfo: null,
      },
    },
  },
  /** The task-level failure shape from the MPS task error code list. */
  finishedFaceNotFound: {
    taskId: '24000089-WorkflowTask-2299c50d854ce3b73f167e7d65120737',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'FINISH',
      ErrCode: 40000,
      ErrMsg: 'InvalidParameterValue.FaceNotFound',
      Message: 'Face Not Found',
      ImageProcessTaskResultSet: [
        {
          Status: 'FAIL',
          ErrMsg: 'InvalidParameterValue.FaceNotFound',
          Message: 'Face Not Found',
          Progress: 0,
          Output: null,
        },
      ],
      CreateTime: '2026-05-04T07:40:00Z',
      FinishTime: '2026-05-04T07:40:03Z',
      Definition: 20003,
      ImageTask: { BeautyConfig: { BeautyEffectItems: [{ Type: 'Whiten', Switch: 'ON', Value: 30 }] } },
      InputInfo: COS_INPUT,
    },
  },
  /** FINISH with an empty task ErrMsg, yet one result failed: FINISH means done, not succeeded. */
  finishedPartial: {
    taskId: '24000089-WorkflowTask-fa29687b9dea41f045e8574e1e2e5507',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'FINISH',
      ErrCode: 0,
      ErrMsg: '',
      Message: '',
      ImageProcessTaskResultSet: [
        {
          Status: 'SUCCESS',
          ErrMsg: '',
          Message: '',
          Progress: 100,
          Output: {
            Path: '/output/enhance/group-03.jpg',
            OutputStorage: COS_OUTPUT,
            SignedUrl: signedCosUrl('/output/enhance/group-03.jpg'),
          },
        },
        { Status: 'FAIL', ErrMsg: 'InternalError', Message: 'Internal Error', Progress: 0, Output: null },
      ],
      CreateTime: '2026-05-04T07:30:00Z',
      FinishTime: '2026-05-04T07:31:12Z',
      Definition: 20001,
      ImageTask: ENHANCE_TASK,
      InputInfo: COS_INPUT,
    },
  },
  /** FINISH with an empty result set. */
  finishedNoResults: {
    taskId: '24000089-WorkflowTask-cc4dac6d6247855d8559fa867354ea6f',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'FINISH',
      ErrCode: 0,
      ErrMsg: '',
      Message: '',
      ImageProcessTaskResultSet: [],
      CreateTime: '2026-05-04T07:20:00Z',
      FinishTime: '2026-05-04T07:20:01Z',
    },
  },
  /** Every "may be null" field null at once. */
  nullFields: {
    taskId: '24000089-WorkflowTask-397dc1a79d4ed3f8f0fd4cb04feac36a',
    response: {
      TaskType: null,
      Status: null,
      ImageProcessTaskResultSet: null,
      CreateTime: null,
      FinishTime: null,
    },
  },
  /** A status the doc does not list (the enum grows), at task and result level. */
  unknownStatus: {
    taskId: '24000089-WorkflowTask-0bfe921363ccc17f3ea088b8f1b19047',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'PAUSED',
      ErrCode: 0,
      ErrMsg: '',
      Message: '',
      ImageProcessTaskResultSet: [{ Status: 'QUEUED', ErrMsg: '', Message: null, Progress: null, Output: null }],
      CreateTime: '2026-05-04T07:10:00Z',
      FinishTime: null,
    },
  },
  /** AWS-S3 input and output carrying the caller's AWS keys, which MPS echoes back. */
  s3Output: {
    taskId: '24000089-WorkflowTask-351e986dc9871134ba613b112c3f1495',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'FINISH',
      ErrCode: 0,
      ErrMsg: '',
      Message: '',
      ImageProcessTaskResultSet: [
        {
          Status: 'SUCCESS',
          ErrMsg: '',
          Message: '',
          Progress: 100,
          Output: {
            Path: 'output/enhance/product-04.jpg',
            OutputStorage: {
              Type: 'AWS-S3',
              CosOutputStorage: null,
              S3OutputStorage: {
                S3Bucket: 'media-output-emulator',
                S3Region: 'us-east-1',
                S3SecretId: SEED_S3_SECRETS.secretId,
                S3SecretKey: SEED_S3_SECRETS.secretKey,
              },
              VODOutputStorage: null,
            },
            SignedUrl:
              'https://media-output-emulator.s3.us-east-1.amazonaws.com/output/enhance/product-04.jpg' +
              '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=9f1c2e3d4b5a6978',
          },
        },
      ],
      CreateTime: '2026-05-04T07:00:00Z',
      FinishTime: '2026-05-04T07:00:09Z',
      Definition: 20001,
      ImageTask: ENHANCE_TASK,
      InputInfo: {
        Type: 'AWS-S3',
        CosInputInfo: null,
        UrlInputInfo: null,
        S3InputInfo: {
          S3Bucket: 'media-input-emulator',
          S3Region: 'us-east-1',
          S3Object: 'input/product-04.jpg',
          S3SecretId: SEED_S3_SECRETS.secretId,
          S3SecretKey: SEED_S3_SECRETS.secretKey,
        },
        VODInputInfo: null,
      },
    },
  },
  /**
   * FINISH with one result still PROCESSING and no ErrMsg at all: the provider does not say
   * how the task ended (state UNKNOWN). The input is a VOD standard-edition file.
   */
  finishedUndecided: {
    taskId: '24000089-WorkflowTask-6e2b1f0a9d8c4b7a8e5f3c2d1b0a9f8e',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'FINISH',
      ErrCode: 0,
      ImageProcessTaskResultSet: [
        {
          Status: 'SUCCESS',
          ErrMsg: '',
          Message: 'SUCCESS',
          Progress: 100,
          Output: { Path: '/output/erase/poster-05.png', OutputStorage: COS_OUTPUT },
        },
        { Status: 'PROCESSING', ErrMsg: '', Message: '', Progress: 80, Output: null },
      ],
      CreateTime: '2026-05-04T06:50:00Z',
      FinishTime: '2026-05-04T06:51:30Z',
      Definition: 20004,
      ImageTask: { EraseConfig: { EraseType: 'subtitle' }, EncodeConfig: { Format: 'PNG' } },
      InputInfo: {
        Type: 'VOD',
        CosInputInfo: null,
        UrlInputInfo: null,
        S3InputInfo: null,
        VODInputInfo: { SubAppId: 1500000001, VodBasic: 1, FileId: '5285890799710173651' },
      },
    },
  },
  /**
   * An ErrCode beyond GraphQL's 32-bit Int (the field is an int64) and a Definition beyond it
   * too; a VOD professional-edition input (bucket object, no VodBasic).
   */
  hugeErrCode: {
    taskId: '24000089-WorkflowTask-7a3c5e9b1d2f4a6c8e0b2d4f6a8c0e2b',
    response: {
      TaskType: 'WorkflowTask',
      Status: 'FINISH',
      ErrCode: 1099511627776,
      ErrMsg: 'InternalError',
      Message: 'Internal Error',
      ImageProcessTaskResultSet: [],
      CreateTime: '2026-05-04T06:40:00Z',
      FinishTime: '2026-05-04T06:40:02Z',
      Definition: 4294967297,
      ImageTask: { EnhanceConfig: { SuperResolution: { Switch: 'ON', Type: 'lq', Size: 2 } } },
      InputInfo: {
        Type: 'VOD',
        CosInputInfo: null,
        UrlInputInfo: null,
        S3InputInfo: null,
        VODInputInfo: {
          Bucket: 'vodbucket-1500000001',
          Region: 'ap-guangzhou',
          Object: '/input/poster-06.jpg',
          SubAppId: 1500000001,
        },
      },
    },
  },
} as const satisfies Record<string, { taskId: string; response: ImageTaskSeed }>;

// ---------------------------------------------------------------- Alibaba ICE

/** Start → ASR → LLM → Code → HTTP → End, the console's live translation template. */
const LIVE_TRANSLATION_GRAPH = {
  nodes: [
    {
      id: 'start',
      type: 'Start',
      name: 'Start',
      position: { x: 0, y: 120 },
      inputs: { live_url: { Url: 'rtmp://live.example.com/app/stream-es', MaxIdleTime: 20 }, source_language_id: 'es' },
    },
    {
      id: 'asr_1',
      type: 'ASR',
      name: 'Automatic Speech Recognition',
      config: { model: 'paraformer-realtime-v2', language: 'es' },
    },
    // Some templates spell the key "Id" or "nodeId": there is no published schema.
    {
      Id: 'llm_1',
      type: 'LLM',
      name: 'Translate to English',
      config: { model: 'qwen-plus', temperature: 0.2, prompt: 'Translate the subtitle to English.' },
    },
    { nodeId: 'code_1', type: 'Code', name: 'Format subtitles', config: { language: 'python3', timeoutSeconds: 10 } },
    {
      id: 'http_1',
      type: 'HTTP',
      name: 'Push subtitles',
      config: { method: 'POST', url: 'https://subtitles.example.com/push' },
    },
    { id: 'end', type: 'End', name: 'End', outputs: ['result'] },
  ],
  edges: [
    { source: 'start', target: 'asr_1' },
    { id: 'e2', source: 'asr_1', target: 'llm_1' },
    { from: 'llm_1', to: 'code_1' },
    { from: 'code_1', to: 'http_1', condition: 'success' },
    { source: 'http_1', target: 'end' },
  ],
} as const;

const LIVE_INPUTS = {
  live_url: { Url: 'rtmp://live.example.com/app/stream-es', MaxIdleTime: 20 },
  source_language_id: 'es',
} as const;

const SUCCEEDED_NODE_RESULTS = {
  start: { status: 'succeeded', output: LIVE_INPUTS, error: null },
  asr_1: { status: 'succeeded', output: { text: 'Hola a todos, bienvenidos.', segments: 3 }, error: null },
  llm_1: { status: 'succeeded', output: { text: 'Hello everyone, welcome.' }, error: null },
  code_1: {
    status: 'succeeded',
    output: { srt: '1\n00:00:00,000 --> 00:00:02,400\nHello everyone, welcome.\n' },
    error: null,
  },
  http_1: { status: 'succeeded', output: { statusCode: 200 }, error: null },
  end: { status: 'succeeded', output: { result: 'Hello everyone, welcome.' }, error: null },
} as const;

const NOTIFY = { NotifyAddress: 'https://hooks.example.com/ice/workflow' } as const;

function workflow(graph: JsonValue, overrides: JsonObject = {}): JsonObject {
  return {
    WorkflowId: '3f44c1a2-f1f6-477e-9364-c5e6c49e7b10',
    Name: 'RealtimeTranslation',
    Status: 'Published',
    Type: 'Live',
    CreateTime: '2026-04-20T01:35:04Z',
    ModifiedTime: '2026-04-22T09:12:45Z',
    Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    Graph: graph,
    ...overrides,
  };
}

const json = (value: JsonValue): string => JSON.stringify(value);
/** A JSON string whose content is itself a JSON string: seen when a caller stringifies twice. */
const doubleEncoded = (value: JsonValue): string => JSON.stringify(JSON.stringify(value));

const WORKFLOW_TASKS = {
  /**
   * Doc example, verbatim. The doc's JSON sample escapes Inputs twice, so the value
   * carries literal backslashes; Graph and NodeResults contain the doc's own "..." and
   * are unparseable on purpose; Outputs and UserData are objects, not strings.
   */
  docExample: {
    taskId: '********-67fd-43aa-9cc1-3e7f********',
    workflowTask: {
      TaskId: '********-67fd-43aa-9cc1-3e7f********',
      Status: 'succeeded',
      Inputs: String.raw`{\"source_language_id\":\"en\",\"live_id\":123,\"live_url\":{\"url\":\"rtmp://test.com.cn/video/638d9088fe4f15ce\"}}`,
      CreateTime: '2025-07-28T02:17:26Z',
      FinishTime: '2025-08-19T02:28:22Z',
      Workflow: {
        WorkflowId: '****3f44-f1f6-477e-9364-c5e6c49e****',
        Name: 'RealtimeTranslation',
        Status: 'Draft',
        Type: 'Live',
        CreateTime: '2025-08-20T01:35:04Z',
        ModifiedTime: '2025-08-20T01:35:04Z',
        Version: '****ec0a-e3b9-40b1-abf2-6549d00e****',
        Graph: '{\n"nodes":[...],\n"edges":[...]\n}',
      },
      NodeResults: '{...}',
      UserData: { NotifyAddress: 'http://xx.xx.xxx' },
      Outputs: { result: 'test' },
      Version: '****ec0a-e3b9-40b1-abf2-6549d00e****',
    },
  },
  /** No FinishTime while running; NodeResults only for the nodes reached so far. */
  running: {
    taskId: 'a1d11566-ace0-488e-a263-8fd1e7a03fc0',
    workflowTask: {
      TaskId: 'a1d11566-ace0-488e-a263-8fd1e7a03fc0',
      Status: 'running',
      Inputs: json(LIVE_INPUTS),
      CreateTime: '2026-05-04T08:00:00Z',
      Workflow: workflow(json(LIVE_TRANSLATION_GRAPH)),
      NodeResults: json({
        start: SUCCEEDED_NODE_RESULTS.start,
        asr_1: { status: 'running', output: null, error: null },
      }),
      UserData: json(NOTIFY),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** The full graph, every node succeeded; NodeResults keyed by node id, all JSON fields as strings. */
  succeeded: {
    taskId: '1a07a295-92a5-44ec-8371-9783f86a8a6b',
    workflowTask: {
      TaskId: '1a07a295-92a5-44ec-8371-9783f86a8a6b',
      Status: 'succeeded',
      Inputs: json(LIVE_INPUTS),
      CreateTime: '2026-05-04T07:00:00Z',
      FinishTime: '2026-05-04T07:42:18Z',
      Workflow: workflow(json(LIVE_TRANSLATION_GRAPH)),
      NodeResults: json(SUCCEEDED_NODE_RESULTS),
      UserData: json(NOTIFY),
      Outputs: json({ result: 'Hello everyone, welcome.' }),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** The LLM node failed; later nodes never ran. */
  failed: {
    taskId: '3990a086-e240-4257-bdd7-fdf90e4ae99f',
    workflowTask: {
      TaskId: '3990a086-e240-4257-bdd7-fdf90e4ae99f',
      Status: 'failed',
      Inputs: json(LIVE_INPUTS),
      CreateTime: '2026-05-04T06:00:00Z',
      FinishTime: '2026-05-04T06:00:41Z',
      Workflow: workflow(json(LIVE_TRANSLATION_GRAPH)),
      NodeResults: json({
        start: SUCCEEDED_NODE_RESULTS.start,
        asr_1: SUCCEEDED_NODE_RESULTS.asr_1,
        llm_1: { status: 'failed', output: null, error: 'Model invocation timed out after 30s (qwen-plus)' },
      }),
      UserData: json(NOTIFY),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** NodeResults as an array of entries carrying nodeId, one of them failed. */
  partialSucceeded: {
    taskId: '5266476a-2e39-48b2-8eac-e709d703807b',
    workflowTask: {
      TaskId: '5266476a-2e39-48b2-8eac-e709d703807b',
      Status: 'partial-succeeded',
      Inputs: json(LIVE_INPUTS),
      CreateTime: '2026-05-04T05:00:00Z',
      FinishTime: '2026-05-04T05:30:00Z',
      Workflow: workflow(json(LIVE_TRANSLATION_GRAPH)),
      NodeResults: json([
        { nodeId: 'start', status: 'succeeded', output: LIVE_INPUTS },
        { nodeId: 'asr_1', status: 'succeeded', output: { text: 'Hola a todos, bienvenidos.' } },
        { nodeId: 'llm_1', status: 'succeeded', output: { text: 'Hello everyone, welcome.' } },
        {
          nodeId: 'code_1',
          status: 'succeeded',
          output: { srt: '1\n00:00:00,000 --> 00:00:02,400\nHello everyone, welcome.\n' },
        },
        { nodeId: 'http_1', status: 'failed', error: 'HTTP 502 Bad Gateway from https://subtitles.example.com/push' },
        { nodeId: 'end', status: 'succeeded', output: { result: 'Hello everyone, welcome.' } },
      ]),
      UserData: json(NOTIFY),
      Outputs: json({ result: 'Hello everyone, welcome.' }),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** Stopped by StopAIWorkflowTask mid-run. */
  stopped: {
    taskId: 'dc8c05a3-a562-47b8-a68a-5d6b903e2ff3',
    workflowTask: {
      TaskId: 'dc8c05a3-a562-47b8-a68a-5d6b903e2ff3',
      Status: 'stopped',
      Inputs: json(LIVE_INPUTS),
      CreateTime: '2026-05-04T04:00:00Z',
      FinishTime: '2026-05-04T04:12:30Z',
      Workflow: workflow(json(LIVE_TRANSLATION_GRAPH)),
      NodeResults: json({
        start: SUCCEEDED_NODE_RESULTS.start,
        asr_1: { status: 'stopped', output: { text: 'Hola a' }, error: null },
      }),
      UserData: json(NOTIFY),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** Every field present as JSON null, Workflow's included. */
  nullFields: {
    taskId: '48646aa4-847d-45cb-bf93-eb15574fd9de',
    workflowTask: {
      TaskId: '48646aa4-847d-45cb-bf93-eb15574fd9de',
      Status: null,
      Inputs: null,
      CreateTime: null,
      FinishTime: null,
      Workflow: {
        WorkflowId: null,
        Name: null,
        Status: null,
        Type: null,
        CreateTime: null,
        ModifiedTime: null,
        Version: null,
        Graph: null,
      },
      NodeResults: null,
      UserData: null,
      Outputs: null,
      Version: null,
    },
  },
  /** Only TaskId: every other field absent, Workflow too. */
  absentFields: {
    taskId: '8a628d33-b838-4f3b-b3ee-2514b3e48db7',
    workflowTask: { TaskId: '8a628d33-b838-4f3b-b3ee-2514b3e48db7' },
  },
  /** The doc-example shape taken all the way: every JSON field as an object. */
  jsonObjects: {
    taskId: '5641f3ce-0d30-4ae2-b993-0ac3ad6fd021',
    workflowTask: {
      TaskId: '5641f3ce-0d30-4ae2-b993-0ac3ad6fd021',
      Status: 'succeeded',
      Inputs: LIVE_INPUTS,
      CreateTime: '2026-05-03T07:00:00Z',
      FinishTime: '2026-05-03T07:20:00Z',
      Workflow: workflow(LIVE_TRANSLATION_GRAPH),
      NodeResults: SUCCEEDED_NODE_RESULTS,
      UserData: NOTIFY,
      Outputs: { result: 'Hello everyone, welcome.' },
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** The SDK-model shape: every JSON field a string (RTC subtitles template). */
  jsonStrings: {
    taskId: 'b2bc8d58-943f-4549-aeb5-43d25f2140c2',
    workflowTask: {
      TaskId: 'b2bc8d58-943f-4549-aeb5-43d25f2140c2',
      Status: 'succeeded',
      Inputs: json({
        rtc: { AppId: 'a1b2c3d4', ChannelId: 'room-42', UserId: 'subtitle-bot' },
        source_language_id: 'zh',
      }),
      CreateTime: '2026-05-03T06:00:00Z',
      FinishTime: '2026-05-03T06:45:00Z',
      Workflow: workflow(
        json({
          nodes: [
            { id: 'start', type: 'Start', name: 'Start' },
            { id: 'asr_1', type: 'ASR', name: 'Speech to text' },
            { id: 'end', type: 'End', name: 'End' },
          ],
          edges: [
            { source: 'start', target: 'asr_1' },
            { source: 'asr_1', target: 'end' },
          ],
        }),
        { Name: 'RtcSubtitles', Type: 'RTC' },
      ),
      NodeResults: json({
        start: { status: 'succeeded', output: null, error: null },
        asr_1: { status: 'succeeded', output: { text: '大家好' }, error: null },
        end: { status: 'succeeded', output: { result: '大家好' }, error: null },
      }),
      UserData: json(NOTIFY),
      Outputs: json({ result: '大家好' }),
      Version: '0c9f1a2b-77aa-4e0e-8d1b-3c5d7e9f1a2b',
    },
  },
  /** Each JSON field is JSON.stringify(JSON.stringify(value)): parse once and you still hold a string. */
  doubleEncoded: {
    taskId: '65cb4fe9-167c-46a4-b2ec-2bd2cb22a7a4',
    workflowTask: {
      TaskId: '65cb4fe9-167c-46a4-b2ec-2bd2cb22a7a4',
      Status: 'succeeded',
      Inputs: doubleEncoded(LIVE_INPUTS),
      CreateTime: '2026-05-03T05:00:00Z',
      FinishTime: '2026-05-03T05:20:00Z',
      Workflow: workflow(doubleEncoded(LIVE_TRANSLATION_GRAPH)),
      NodeResults: doubleEncoded(SUCCEEDED_NODE_RESULTS),
      UserData: doubleEncoded(NOTIFY),
      Outputs: doubleEncoded({ result: 'Hello everyone, welcome.' }),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** Strings that look like JSON and are not: truncated, single-quoted, plain text. */
  malformedJson: {
    taskId: 'c9ca97fc-2eb1-43d7-acfa-e648b2b6cac7',
    workflowTask: {
      TaskId: 'c9ca97fc-2eb1-43d7-acfa-e648b2b6cac7',
      Status: 'succeeded',
      Inputs: '{"source_language_id":"en",',
      CreateTime: '2026-05-03T04:00:00Z',
      FinishTime: '2026-05-03T04:10:00Z',
      Workflow: workflow('{"nodes":[{"id":"start","type":"Start"}],"edges":['),
      NodeResults: '{...}',
      UserData: "{'NotifyAddress': 'https://hooks.example.com/ice/workflow'}",
      Outputs: 'result=test',
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** Empty strings where JSON is expected. */
  emptyStrings: {
    taskId: 'b1c184fc-6ef7-491d-8111-f7fa77382d14',
    workflowTask: {
      TaskId: 'b1c184fc-6ef7-491d-8111-f7fa77382d14',
      Status: 'succeeded',
      Inputs: '',
      CreateTime: '2026-05-03T03:00:00Z',
      FinishTime: '2026-05-03T03:05:00Z',
      Workflow: workflow(''),
      NodeResults: '',
      UserData: '',
      Outputs: '',
      Version: '',
    },
  },
  /** Valid JSON, irregular graph: a node without any id key, a duplicate id, an edge to a missing node. */
  irregularGraph: {
    taskId: '9dbb204f-40dd-4406-84cb-25a0b90900bf',
    workflowTask: {
      TaskId: '9dbb204f-40dd-4406-84cb-25a0b90900bf',
      Status: 'succeeded',
      Inputs: json(LIVE_INPUTS),
      CreateTime: '2026-05-03T02:00:00Z',
      FinishTime: '2026-05-03T02:05:00Z',
      Workflow: workflow(
        json({
          nodes: [
            { id: 'start', type: 'Start', name: 'Start' },
            { type: 'Note', name: 'A comment box with no id' },
            { id: 'start', type: 'Start', name: 'Duplicate start' },
            { id: 'end', type: 'End' },
          ],
          edges: [
            { source: 'start', target: 'end' },
            { source: 'start', target: 'ghost' },
            { label: 'edge without endpoints' },
          ],
        }),
      ),
      NodeResults: json({ start: { status: 'succeeded' }, end: 'succeeded' }),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /**
   * Other graph shapes: nodes as a map keyed by id (`Nodes`), successors as `next`/`children`
   * lists, one `Edges` entry in `{Source,Target}` form and one unreadable; NodeResults as an
   * array in a `{"nodes": [...]}` wrapper with one entry that names no node.
   */
  graphShapes: {
    taskId: '0d5a7c9e-3b1f-4e2a-9c8d-6f4b2a1e0c3d',
    workflowTask: {
      TaskId: '0d5a7c9e-3b1f-4e2a-9c8d-6f4b2a1e0c3d',
      Status: 'running',
      Inputs: json(LIVE_INPUTS),
      CreateTime: '2026-05-04T08:10:00Z',
      Workflow: workflow(
        json({
          Nodes: {
            start: { Type: 'Start', Name: 'Start', next: ['asr_1'] },
            asr_1: { Type: 'ASR', Name: 'Speech "to" text <live>', children: [{ id: 'llm_1', label: 'transcript' }] },
            llm_1: { Type: 'LLM', Name: 'Translate', next: 'end' },
            end: { Type: 'End', Name: 'End' },
            note: 'a sticky note the console keeps beside the nodes',
          },
          Edges: [{ Source: 'start', Target: 'asr_1' }, { Label: 'an edge without endpoints' }],
        }),
        { Name: 'LiveTranslationMap' },
      ),
      NodeResults: json({
        nodes: [
          { nodeId: 'start', status: 'succeeded', output: LIVE_INPUTS },
          { nodeId: 'asr_1', status: 'succeeded', output: { text: 'Hola a todos' } },
          { nodeId: 'llm_1', status: 'running' },
          { status: 'succeeded', output: 'a result that names no node' },
        ],
      }),
      UserData: json(NOTIFY),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** A task status the doc does not list. */
  unknownStatus: {
    taskId: '79515b21-92e8-4111-bb6a-36c45291c5ea',
    workflowTask: {
      TaskId: '79515b21-92e8-4111-bb6a-36c45291c5ea',
      Status: 'paused',
      Inputs: json(LIVE_INPUTS),
      CreateTime: '2026-05-04T03:00:00Z',
      Workflow: workflow(json(LIVE_TRANSLATION_GRAPH)),
      NodeResults: json({ start: SUCCEEDED_NODE_RESULTS.start }),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
  /** A template status the doc does not list (Draft/Published/Editing are). */
  unknownWorkflowStatus: {
    taskId: '544a3354-6765-4d69-aebb-94d798bd4b41',
    workflowTask: {
      TaskId: '544a3354-6765-4d69-aebb-94d798bd4b41',
      Status: 'succeeded',
      Inputs: json(LIVE_INPUTS),
      CreateTime: '2026-05-02T03:00:00Z',
      FinishTime: '2026-05-02T03:40:00Z',
      Workflow: workflow(json(LIVE_TRANSLATION_GRAPH), { Status: 'Archived' }),
      NodeResults: json(SUCCEEDED_NODE_RESULTS),
      UserData: json(NOTIFY),
      Outputs: json({ result: 'Hello everyone, welcome.' }),
      Version: '7d2cec0a-e3b9-40b1-abf2-6549d00e5c31',
    },
  },
} as const satisfies Record<string, { taskId: string; workflowTask: WorkflowTaskSeed }>;

// ---------------------------------------------------------------- exports

export type ImageSeedName = keyof typeof IMAGE_TASKS;
export type WorkflowSeedName = keyof typeof WORKFLOW_TASKS;

/**
 * Descriptive name -> taskId. Known names type as string; arbitrary lookups as
 * string | undefined, so `SEED.image.waiting` needs no `!` and `SEED.image[name]` still compiles.
 */
export const SEED: {
  readonly image: Readonly<Record<ImageSeedName, string>> & Readonly<Record<string, string>>;
  readonly workflow: Readonly<Record<WorkflowSeedName, string>> & Readonly<Record<string, string>>;
} = Object.freeze({
  image: Object.freeze(mapValues(IMAGE_TASKS, (entry) => entry.taskId)),
  workflow: Object.freeze(mapValues(WORKFLOW_TASKS, (entry) => entry.taskId)),
});

/** taskId -> Response fields, for the task store. */
export function seedImageTasks(): ReadonlyMap<string, ImageTaskSeed> {
  return new Map(
    Object.values(IMAGE_TASKS).map((entry): [string, ImageTaskSeed] => [entry.taskId, deepFreeze(entry.response)]),
  );
}

/** taskId -> WorkflowTask object, for the task store. */
export function seedWorkflowTasks(): ReadonlyMap<string, WorkflowTaskSeed> {
  return new Map(
    Object.values(WORKFLOW_TASKS).map((entry): [string, WorkflowTaskSeed] => [
      entry.taskId,
      deepFreeze(entry.workflowTask),
    ]),
  );
}

/** A few ids per provider worth pasting into a query, for a start-up banner. */
export function sampleTaskIds(): { readonly image: readonly string[]; readonly workflow: readonly string[] } {
  return {
    image: [
      SEED.image.finishedSuccess,
      SEED.image.processing,
      SEED.image.finishedFaceNotFound,
      SEED.image.docExampleFinished,
    ],
    workflow: [SEED.workflow.succeeded, SEED.workflow.running, SEED.workflow.failed, SEED.workflow.partialSucceeded],
  };
}

function mapValues<K extends string, V, R>(record: Readonly<Record<K, V>>, fn: (value: V) => R): Record<K, R> {
  const out = {} as Record<K, R>;
  for (const key of Object.keys(record) as K[]) out[key] = fn(record[key]);
  return out;
}

/** Seeds are shared by every emulator in the process; freezing keeps one test from editing another's data. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * A finished MPS task with no results and no error: the smallest cacheable answer, for
 * callers that put fresh task ids into an emulator (benchmarks, tests) so that no cache
 * can have seen them.
 */
export const FINISHED_IMAGE_TASK: ImageTaskSeed = deepFreeze({
  TaskType: 'WorkflowTask',
  Status: 'FINISH',
  ErrCode: 0,
  ErrMsg: '',
  Message: '',
  ImageProcessTaskResultSet: [],
  CreateTime: '2026-05-04T08:00:00Z',
  FinishTime: '2026-05-04T08:00:05Z',
});
