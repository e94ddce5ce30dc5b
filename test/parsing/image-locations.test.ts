import { integerText, parseImageInput, parseImageStorage } from '../../src/parsing/image-locations.js';
import { parseImageTask } from '../../src/parsing/image-task.js';

describe('parseImageStorage (OutputStorage typed)', () => {
  it.each([
    [
      'COS',
      {
        Type: 'COS',
        CosOutputStorage: { Bucket: 'b', Region: 'ap-guangzhou' },
        S3OutputStorage: null,
        VODOutputStorage: null,
      },
      { type: 'COS', bucket: 'b', region: 'ap-guangzhou', subAppId: null, vodBasic: null },
    ],
    [
      'AWS-S3, credentials left out',
      {
        Type: 'AWS-S3',
        S3OutputStorage: { S3Bucket: 's', S3Region: 'us-east-1', S3SecretId: 'id', S3SecretKey: 'key' },
      },
      { type: 'AWS-S3', bucket: 's', region: 'us-east-1', subAppId: null, vodBasic: null },
    ],
    [
      'VOD standard',
      { Type: 'VOD', VODOutputStorage: { Bucket: 'v', Region: 'ap-guangzhou', SubAppId: 1500000001, VodBasic: 1 } },
      { type: 'VOD', bucket: 'v', region: 'ap-guangzhou', subAppId: '1500000001', vodBasic: true },
    ],
    [
      'VOD not standard',
      { Type: 'VOD', VODOutputStorage: { SubAppId: '15', VodBasic: 0 } },
      { type: 'VOD', bucket: null, region: null, subAppId: '15', vodBasic: false },
    ],
    [
      'VOD professional (no VodBasic)',
      { Type: 'VOD', VODOutputStorage: { Bucket: 'v' } },
      { type: 'VOD', bucket: 'v', region: null, subAppId: null, vodBasic: null },
    ],
    [
      'no Type, one branch',
      { CosOutputStorage: { Bucket: 'b', Region: 'r' } },
      { type: null, bucket: 'b', region: 'r', subAppId: null, vodBasic: null },
    ],
    [
      'unknown Type, two branches',
      { Type: 'GCS', CosOutputStorage: { Bucket: 'b' }, VODOutputStorage: { Bucket: 'v' } },
      { type: 'GCS', bucket: null, region: null, subAppId: null, vodBasic: null },
    ],
    [
      'Type naming a missing branch',
      { Type: 'COS', VODOutputStorage: { Bucket: 'v' } },
      { type: 'COS', bucket: null, region: null, subAppId: null, vodBasic: null },
    ],
    [
      'JSON text',
      JSON.stringify({ Type: 'COS', CosOutputStorage: { Bucket: 'b' } }),
      { type: 'COS', bucket: 'b', region: null, subAppId: null, vodBasic: null },
    ],
  ])('%s', (_label, storage, expected) => {
    expect(parseImageStorage(storage)).toEqual(expected);
  });

  it('is null when absent, null or unreadable', () => {
    expect(parseImageStorage(undefined)).toBeNull();
    expect(parseImageStorage(null)).toBeNull();
    expect(parseImageStorage('{S3SecretKey: x}')).toBeNull();
  });
});

describe('parseImageInput (InputInfo typed)', () => {
  it('reads each kind, with S3 credentials nowhere', () => {
    const input = parseImageInput({
      Type: 'AWS-S3',
      CosInputInfo: { Bucket: 'c', Region: 'ap-guangzhou', Object: '/in.jpg' },
      UrlInputInfo: { Url: 'https://example.com/in.jpg' },
      S3InputInfo: {
        S3Bucket: 's',
        S3Region: 'us-east-1',
        S3Object: 'in.jpg',
        S3SecretId: 'AKIA-ID',
        S3SecretKey: 'secret-key',
      },
      VODInputInfo: {
        Bucket: 'v',
        Region: 'ap-guangzhou',
        Object: '/v.jpg',
        SubAppId: 1500000001,
        VodBasic: 1,
        FileId: '5285890799710173650',
      },
      Extra: { NewKind: true },
    });
    expect(input).toEqual({
      type: 'AWS-S3',
      cos: { bucket: 'c', region: 'ap-guangzhou', object: '/in.jpg' },
      url: 'https://example.com/in.jpg',
      s3: { bucket: 's', region: 'us-east-1', object: 'in.jpg' },
      vod: {
        bucket: 'v',
        region: 'ap-guangzhou',
        object: '/v.jpg',
        subAppId: '1500000001',
        vodBasic: true,
        fileId: '5285890799710173650',
      },
      source: {
        Type: 'AWS-S3',
        CosInputInfo: { Bucket: 'c', Region: 'ap-guangzhou', Object: '/in.jpg' },
        UrlInputInfo: { Url: 'https://example.com/in.jpg' },
        S3InputInfo: { S3Bucket: 's', S3Region: 'us-east-1', S3Object: 'in.jpg' },
        VODInputInfo: {
          Bucket: 'v',
          Region: 'ap-guangzhou',
          Object: '/v.jpg',
          SubAppId: 1500000001,
          VodBasic: 1,
          FileId: '5285890799710173650',
        },
        Extra: { NewKind: true },
      },
    });
    expect(JSON.stringify(input)).not.toMatch(/AKIA-ID|secret-key/);
  });

  it('keeps unused branches as sent: null stays null, empty strings stay empty', () => {
    expect(
      parseImageInput({
        Type: 'URL',
        CosInputInfo: { Bucket: '', Object: '', Region: '' },
        S3InputInfo: null,
        UrlInputInfo: {},
      }),
    ).toMatchObject({
      type: 'URL',
      cos: { bucket: '', region: '', object: '' },
      url: null,
      s3: null,
      vod: null,
    });
  });

  it('is null when absent or not an object', () => {
    expect(parseImageInput(undefined)).toBeNull();
    expect(parseImageInput('URL')).toBeNull();
  });
});

describe('ImageTask launch fields', () => {
  it('reads Definition as text and ImageTask as JSON without secrets', () => {
    const task = parseImageTask('t', {
      Definition: 20001,
      ImageTask: { EncodeConfig: { Format: 'JPEG', Quality: 85 }, SomeNewConfig: { S3SecretKey: 'x', On: true } },
    });
    expect(task.definition).toBe('20001');
    expect(task.launchConfig).toEqual({ EncodeConfig: { Format: 'JPEG', Quality: 85 }, SomeNewConfig: { On: true } });
  });

  it.each([
    [20001, '20001'],
    ['20001', '20001'],
    [2 ** 53 + 2, '9007199254740994'],
    [1.5, null],
    ['x', null],
    [null, null],
  ])('integerText(%p) is %p', (value, text) => {
    expect(integerText(value)).toBe(text);
  });
});
