import { imageTaskState, parseImageTask } from '../../src/parsing/image-task.js';
import type { ImageResultStatus, ImageTaskModel } from '../../src/parsing/models.js';
import {
  TENCENT_DOC_REQUEST_CN,
  TENCENT_DOC_RESPONSE_CN,
  TENCENT_DOC_RESPONSE_INTL,
  TENCENT_DOC_TASK_ID_INTL,
} from '../fixtures/doc-examples.js';

const TASK_ID = 'task-1';

function finished(extra: Record<string, unknown>): ImageTaskModel {
  return parseImageTask(TASK_ID, { Status: 'FINISH', ...extra });
}

function results(...statuses: (string | null)[]): Record<string, unknown>[] {
  return statuses.map((Status) => ({ Status }));
}

describe('parseImageTask', () => {
  describe('doc examples', () => {
    it('parses the international doc example (finished, no results)', () => {
      const envelope = JSON.parse(TENCENT_DOC_RESPONSE_INTL) as { Response: unknown };
      expect(parseImageTask(TENCENT_DOC_TASK_ID_INTL, envelope.Response)).toEqual({
        taskId: '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4',
        taskType: 'WorkflowTask',
        status: 'FINISH',
        // Finished without a result set or ErrMsg: the provider does not say how it ended.
        state: 'UNKNOWN',
        errCode: null,
        errCodeText: null,
        errMsg: null,
        message: null,
        results: [],
        resultSet: null,
        definition: null,
        launchConfig: null,
        input: null,
        createTime: '2025-05-16T07:44:26Z',
        finishTime: '2025-05-16T07:44:30Z',
        durationSeconds: 4,
        requestId: '147e6b46-efeb-48cf-9186-b195b2bf4f9d',
        terminal: true,
        signedUrlsExpireAt: null,
      });
    });

    it('parses the China-site doc example (still processing)', () => {
      const { TaskId } = JSON.parse(TENCENT_DOC_REQUEST_CN) as { TaskId: string };
      const envelope = JSON.parse(TENCENT_DOC_RESPONSE_CN) as { Response: unknown };
      expect(parseImageTask(TaskId, envelope.Response)).toEqual({
        taskId: '24******-WorkflowTask-***************tt6',
        taskType: 'WorkflowTask',
        status: 'PROCESSING',
        state: 'RUNNING',
        errCode: null,
        errCodeText: null,
        errMsg: null,
        message: null,
        results: [],
        resultSet: null,
        definition: null,
        launchConfig: {
          BeautyConfig: {
            BeautyEffectItems: [{ ExtInfo: '', ResourcePath: '', Switch: 'ON', Type: 'Smooth', Value: 40 }],
          },
        },
        input: {
          type: 'URL',
          cos: { bucket: '', region: '', object: '' },
          url: 'http://***************.cos.ap-shanghai.tencentcos.cn/**********/01.jpeg',
          s3: null,
          vod: null,
          source: {
            CosInputInfo: { Bucket: '', Object: '', Region: '' },
            S3InputInfo: null,
            Type: 'URL',
            UrlInputInfo: { Url: 'http://***************.cos.ap-shanghai.tencentcos.cn/**********/01.jpeg' },
            VODInputInfo: null,
          },
        },
        createTime: '2026-04-30T06:26:49Z',
        finishTime: null,
        durationSeconds: null,
        requestId: '1610103f-dd39-44ca-90ea-e533219d9b53',
        terminal: false,
        signedUrlsExpireAt: null,
      });
    });

    it('also accepts the whole envelope', () => {
      const envelope: unknown = JSON.parse(TENCENT_DOC_RESPONSE_INTL);
      const inner = (envelope as { Response: unknown }).Response;
      expect(parseImageTask(TENCENT_DOC_TASK_ID_INTL, envelope)).toEqual(
        parseImageTask(TENCENT_DOC_TASK_ID_INTL, inner),
      );
    });
  });

  it('uses the requested taskId, not anything in the payload', () => {
    expect(parseImageTask('asked', { TaskId: 'echoed', Status: 'FINISH' }).taskId).toBe('asked');
  });

  describe('status and state', () => {
    it.each([
      ['WAITING', 'WAITING', 'PENDING', false],
      ['PROCESSING', 'PROCESSING', 'RUNNING', false],
      ['FINISH', 'FINISH', 'UNKNOWN', true],
      ['finish', 'FINISH', 'UNKNOWN', true],
      [' Waiting ', 'WAITING', 'PENDING', false],
      ['DONE', 'UNKNOWN', 'UNKNOWN', false],
      ['constructor', 'UNKNOWN', 'UNKNOWN', false],
      ['__proto__', 'UNKNOWN', 'UNKNOWN', false],
      ['', 'UNKNOWN', 'UNKNOWN', false],
      [7, 'UNKNOWN', 'UNKNOWN', false],
      [null, null, 'UNKNOWN', false],
      [undefined, null, 'UNKNOWN', false],
    ])('Status %p -> status %p, state %p, terminal %p', (Status, status, state, terminal) => {
      const task = parseImageTask(TASK_ID, { Status });
      expect([task.status, task.state, task.terminal]).toEqual([status, state, terminal]);
    });

    it('reads ErrCode as a number or a numeric string, of any size', () => {
      expect(finished({ ErrCode: 40000 })).toMatchObject({ state: 'FAILED', errCode: 40000, errCodeText: '40000' });
      expect(finished({ ErrCode: '40000' })).toMatchObject({ state: 'FAILED', errCode: 40000, errCodeText: '40000' });
      expect(finished({ ErrCode: -1 })).toMatchObject({ state: 'FAILED', errCode: -1, errCodeText: '-1' });
      expect(finished({ ErrCode: 2 ** 40 })).toMatchObject({
        state: 'FAILED',
        errCode: 2 ** 40,
        errCodeText: '1099511627776',
      });
      expect(finished({ ErrCode: '9223372036854775807' })).toMatchObject({
        state: 'FAILED',
        errCodeText: '9223372036854775807',
      });
      expect(finished({ ErrCode: 2 ** 63 })).toMatchObject({ errCodeText: '9223372036854775808' });
      expect(finished({ ErrCode: 'oops' })).toMatchObject({ errCode: null, errCodeText: null });
      expect(finished({ ErrCode: Number.NaN })).toMatchObject({ errCode: null, errCodeText: null });
      expect(finished({ ErrCode: '0x10' })).toMatchObject({ errCode: null, errCodeText: null });
    });

    it('keeps Message whatever the state', () => {
      expect(finished({ ErrMsg: 'InvalidParameterValue.FaceNotFound', Message: 'Face Not Found' })).toMatchObject({
        state: 'FAILED',
        errMsg: 'InvalidParameterValue.FaceNotFound',
        message: 'Face Not Found',
      });
    });

    it('never reports anything but PENDING/RUNNING/UNKNOWN for unfinished tasks, whatever the results', () => {
      expect(
        parseImageTask(TASK_ID, { Status: 'PROCESSING', ErrCode: 5, ImageProcessTaskResultSet: results('FAIL') }).state,
      ).toBe('RUNNING');
      expect(imageTaskState(null, 5, 'x', [{ status: 'FAIL' }])).toBe('UNKNOWN');
      expect(imageTaskState('UNKNOWN', null, null, [])).toBe('UNKNOWN');
    });
  });

  /**
   * Every combination of the inputs that decide a FINISH task's state. Each input
   * value is labelled with what it means under the rule written in the schema
   * (ImageTask.state), and the expectation follows from the labels alone.
   */
  describe('the FINISH state rule, every combination', () => {
    const ERR_CODES: [string, unknown, { error: boolean; zeroOrAbsent: boolean }][] = [
      ['absent', undefined, { error: false, zeroOrAbsent: true }],
      ['null', null, { error: false, zeroOrAbsent: true }],
      ['0', 0, { error: false, zeroOrAbsent: true }],
      ['"0"', '0', { error: false, zeroOrAbsent: true }],
      ['40000', 40000, { error: true, zeroOrAbsent: false }],
      ['2^40', 2 ** 40, { error: true, zeroOrAbsent: false }],
      ['"oops"', 'oops', { error: false, zeroOrAbsent: true }],
    ];
    const ERR_MSGS: [string, unknown, { error: boolean; saysSuccess: boolean }][] = [
      ['absent', undefined, { error: false, saysSuccess: false }],
      ['null', null, { error: false, saysSuccess: false }],
      ['""', '', { error: false, saysSuccess: true }],
      ['"  "', '  ', { error: false, saysSuccess: true }],
      ['a code', 'InternalError', { error: true, saysSuccess: false }],
    ];
    const MESSAGES: [string, unknown][] = [
      ['absent', undefined],
      ['""', ''],
      ['"SUCCESS"', 'SUCCESS'],
      ['"Face Not Found"', 'Face Not Found'],
    ];
    type Verdict = 'fail-with-success' | 'fail' | 'all-success' | 'in-flight' | 'no-results';
    const RESULT_SETS: [string, unknown, Verdict][] = [
      ['absent', undefined, 'no-results'],
      ['null', null, 'no-results'],
      ['not a list', { Status: 'SUCCESS' }, 'no-results'],
      ['empty', [], 'no-results'],
      ['SUCCESS', results('SUCCESS'), 'all-success'],
      ['SUCCESS SUCCESS', results('SUCCESS', 'SUCCESS'), 'all-success'],
      ['SUCCESS FAIL', results('SUCCESS', 'FAIL'), 'fail-with-success'],
      ['SUCCESS FAIL PROCESSING', results('SUCCESS', 'FAIL', 'PROCESSING'), 'fail-with-success'],
      ['FAIL', results('FAIL'), 'fail'],
      ['FAIL PROCESSING', results('FAIL', 'PROCESSING'), 'fail'],
      ['FAIL unknown', results('FAIL', 'WEIRD'), 'fail'],
      ['PROCESSING', results('PROCESSING'), 'in-flight'],
      ['SUCCESS PROCESSING', results('SUCCESS', 'PROCESSING'), 'in-flight'],
      ['unknown status', results('WEIRD'), 'in-flight'],
      ['no status', results(null), 'in-flight'],
      ['SUCCESS and no status', results('SUCCESS', null), 'in-flight'],
    ];

    const cases = ERR_CODES.flatMap((code) =>
      ERR_MSGS.flatMap((msg) =>
        MESSAGES.flatMap((message) => RESULT_SETS.map((set) => [code, msg, message, set] as const)),
      ),
    );

    it(`covers ${ERR_CODES.length * ERR_MSGS.length * MESSAGES.length * RESULT_SETS.length} combinations`, () => {
      const wrong: string[] = [];
      for (const [
        [codeLabel, ErrCode, code],
        [msgLabel, ErrMsg, msg],
        [messageLabel, Message],
        [setLabel, set, verdict],
      ] of cases) {
        let expected: string;
        if (code.error || msg.error) expected = 'FAILED';
        else if (verdict === 'fail-with-success') expected = 'PARTIALLY_SUCCEEDED';
        else if (verdict === 'fail') expected = 'FAILED';
        else if (verdict === 'all-success') expected = 'SUCCEEDED';
        else if (verdict === 'in-flight') expected = 'UNKNOWN';
        else expected = msg.saysSuccess && code.zeroOrAbsent ? 'SUCCEEDED' : 'UNKNOWN';
        const actual = finished({ ErrCode, ErrMsg, Message, ImageProcessTaskResultSet: set }).state;
        if (actual !== expected)
          wrong.push(
            `ErrCode ${codeLabel}, ErrMsg ${msgLabel}, Message ${messageLabel}, results ${setLabel}: ${actual}, expected ${expected}`,
          );
      }
      expect(wrong).toEqual([]);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['the international doc example: FINISH and nothing else', {}, 'UNKNOWN'],
      [
        'FINISH, ErrCode 0 and ErrMsg "" with no results (the provider says it succeeded)',
        { ErrCode: 0, ErrMsg: '' },
        'SUCCEEDED',
      ],
      ['FINISH, ErrCode 0 only', { ErrCode: 0 }, 'UNKNOWN'],
      [
        'FINISH with a result still PROCESSING and no ErrMsg',
        { ImageProcessTaskResultSet: results('SUCCESS', 'PROCESSING') },
        'UNKNOWN',
      ],
      [
        'FINISH with a result still PROCESSING and ErrMsg ""',
        { ErrMsg: '', ImageProcessTaskResultSet: results('SUCCESS', 'PROCESSING') },
        'UNKNOWN',
      ],
      [
        'FINISH with a result still WAITING and ErrCode 0, ErrMsg ""',
        { ErrCode: 0, ErrMsg: '', ImageProcessTaskResultSet: results('WAITING') },
        'UNKNOWN',
      ],
      [
        'FINISH with every result SUCCESS and no ErrMsg',
        { ImageProcessTaskResultSet: results('SUCCESS') },
        'SUCCEEDED',
      ],
      [
        'a task-level error beside successful results',
        { ErrCode: 1, ImageProcessTaskResultSet: results('SUCCESS') },
        'FAILED',
      ],
    ])('%s is %s', (_label, fields, state) => {
      expect(finished(fields).state).toBe(state);
    });
  });

  describe('results', () => {
    it('maps result statuses case-insensitively, unknown words to UNKNOWN and null to null', () => {
      const task = finished({ ImageProcessTaskResultSet: results('PROCESSING', 'success', 'FAIL', 'DONE', null) });
      expect(task.results.map((r) => r.status)).toEqual<(ImageResultStatus | null)[]>([
        'PROCESSING',
        'SUCCESS',
        'FAIL',
        'UNKNOWN',
        null,
      ]);
    });

    it('reads every field of a result and its output', () => {
      const task = finished({
        ImageProcessTaskResultSet: [
          {
            Status: 'SUCCESS',
            ErrMsg: '',
            Message: 'ok',
            Progress: '100',
            Output: {
              Path: '/out/01.jpg',
              SignedUrl: 'https://example.invalid/out/01.jpg?sign=x',
              Content: 'a cat',
              FileId: 528589078,
              OutputStorage: { Type: 'COS', CosOutputStorage: { Bucket: 'b-125', Region: 'ap-chongqing' } },
            },
          },
        ],
      });
      expect(task.results).toEqual([
        {
          status: 'SUCCESS',
          errMsg: '',
          message: 'ok',
          progress: 100,
          output: {
            path: '/out/01.jpg',
            signedUrl: 'https://example.invalid/out/01.jpg?sign=x',
            signedUrlExpiresAt: null,
            content: 'a cat',
            fileId: '528589078',
            storage: { Type: 'COS', CosOutputStorage: { Bucket: 'b-125', Region: 'ap-chongqing' } },
            outputStorage: { type: 'COS', bucket: 'b-125', region: 'ap-chongqing', subAppId: null, vodBasic: null },
          },
        },
      ]);
    });

    it('reads Progress as a number or numeric string, rejecting non-finite and garbage without clamping', () => {
      const progress = (Progress: unknown): number | null =>
        finished({ ImageProcessTaskResultSet: [{ Progress }] }).results[0]?.progress ?? null;
      expect(progress(50)).toBe(50);
      expect(progress(' 75 ')).toBe(75);
      expect(progress(150)).toBe(150);
      expect(progress(-3)).toBe(-3);
      expect(progress('50%')).toBeNull();
      expect(progress('')).toBeNull();
      expect(progress(Number.POSITIVE_INFINITY)).toBeNull();
      expect(progress('1e999')).toBeNull();
      expect(progress(null)).toBeNull();
    });

    it('has null fields for an empty result and null output for a non-object Output', () => {
      expect(finished({ ImageProcessTaskResultSet: [{}, { Output: 'x' }] }).results).toEqual([
        { status: null, errMsg: null, message: null, progress: null, output: null },
        { status: null, errMsg: null, message: null, progress: null, output: null },
      ]);
    });

    it('skips entries that are not objects and treats a non-array set as no results', () => {
      expect(finished({ ImageProcessTaskResultSet: [null, 3, 'x', { Status: 'SUCCESS' }] }).results).toHaveLength(1);
      expect(finished({ ImageProcessTaskResultSet: { Status: 'FAIL' } }).results).toEqual([]);
      expect(finished({ ImageProcessTaskResultSet: null }).results).toEqual([]);
    });

    it('keeps a null or absent result set (not known) apart from an empty one (no results)', () => {
      expect(finished({ ImageProcessTaskResultSet: null })).toMatchObject({ results: [], resultSet: null });
      expect(finished({})).toMatchObject({ results: [], resultSet: null });
      expect(finished({ ImageProcessTaskResultSet: [] })).toMatchObject({ results: [], resultSet: [] });
      const one = finished({ ImageProcessTaskResultSet: results('SUCCESS') });
      expect(one.resultSet).toEqual(one.results);
    });
  });

  describe('output storage secrets', () => {
    const storageOf = (OutputStorage: unknown): unknown =>
      finished({ ImageProcessTaskResultSet: [{ Output: { OutputStorage } }] }).results[0]?.output?.storage;

    it('removes S3SecretId and S3SecretKey, keeping the rest', () => {
      expect(
        storageOf({
          Type: 'AWS-S3',
          CosOutputStorage: null,
          S3OutputStorage: { S3Bucket: 'bucket', S3Region: 'us-east-1', S3SecretId: 'AKIA-SECRET', S3SecretKey: 'shh' },
        }),
      ).toEqual({
        Type: 'AWS-S3',
        CosOutputStorage: null,
        S3OutputStorage: { S3Bucket: 'bucket', S3Region: 'us-east-1' },
      });
    });

    it('removes them at any depth, inside arrays and in any letter case', () => {
      const storage = storageOf({
        S3SecretId: 'top',
        a: [{ b: { s3secretkey: 'deep', S3SessionToken: 'token', keep: 1 } }],
      });
      expect(storage).toEqual({ a: [{ b: { keep: 1 } }] });
      expect(JSON.stringify(storage)).not.toMatch(/top|deep|token/);
    });

    it('decodes a storage object sent as a JSON string before stripping', () => {
      expect(
        storageOf(JSON.stringify({ Type: 'AWS-S3', S3OutputStorage: { S3SecretKey: 'shh', S3Bucket: 'b' } })),
      ).toEqual({
        Type: 'AWS-S3',
        S3OutputStorage: { S3Bucket: 'b' },
      });
    });

    it('drops storage text that is not JSON rather than risk echoing a secret in it', () => {
      expect(storageOf('{S3SecretKey: shh}')).toBeNull();
    });

    it('is null when absent', () => {
      expect(storageOf(undefined)).toBeNull();
      expect(storageOf(null)).toBeNull();
    });
  });

  describe('null everywhere', () => {
    const empty: ImageTaskModel = {
      taskId: TASK_ID,
      taskType: null,
      status: null,
      state: 'UNKNOWN',
      errCode: null,
      errCodeText: null,
      errMsg: null,
      message: null,
      results: [],
      resultSet: null,
      definition: null,
      launchConfig: null,
      input: null,
      createTime: null,
      finishTime: null,
      durationSeconds: null,
      requestId: null,
      terminal: false,
      signedUrlsExpireAt: null,
    };

    it.each([undefined, null, 'text', 42, [], [{ Status: 'FINISH' }], {}])(
      'gives an empty model for %p',
      (response) => {
        expect(parseImageTask(TASK_ID, response)).toEqual(empty);
      },
    );

    it('gives an empty model when every field is null', () => {
      const allNull = Object.fromEntries(
        [
          'TaskType',
          'Status',
          'ErrCode',
          'ErrMsg',
          'Message',
          'ImageProcessTaskResultSet',
          'CreateTime',
          'FinishTime',
          'RequestId',
        ].map((k) => [k, null]),
      );
      expect(parseImageTask(TASK_ID, allNull)).toEqual(empty);
    });
  });

  it('normalises times and computes the duration', () => {
    expect(
      finished({ CreateTime: '2025-05-16T15:44:26.250+08:00', FinishTime: '2025-05-16T07:45:00.9Z' }),
    ).toMatchObject({
      createTime: '2025-05-16T07:44:26Z',
      finishTime: '2025-05-16T07:45:00Z',
      durationSeconds: 34,
    });
    expect(finished({ CreateTime: 'garbage', FinishTime: '2025-05-16T07:45:00Z' })).toMatchObject({
      createTime: null,
      durationSeconds: null,
    });
  });
});
