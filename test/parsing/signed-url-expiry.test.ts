import { earliestExpiry, signedUrlExpiresAt } from '../../src/parsing/signed-url-expiry.js';

const at = (iso: string) => Date.parse(iso);

describe('signedUrlExpiresAt', () => {
  it.each<[string, string, number]>([
    [
      'COS q-sign-time (URL-encoded ;)',
      'https://b-1250000000.cos.ap-guangzhou.myqcloud.com/o.jpg?q-sign-algorithm=sha1&q-ak=AK&q-sign-time=1777881600%3B1777968000&q-key-time=1777881600%3B1777968000&q-signature=x',
      1777968000_000,
    ],
    [
      'COS, the earlier of q-sign-time and q-key-time',
      'https://c.myqcloud.com/o?q-sign-time=1;2000&q-key-time=1;1000&q-signature=x',
      1000_000,
    ],
    [
      'VOD key protection t=<hex>',
      'https://1500000001.vod2.myqcloud.com/x/o.png?t=6a1f2b00&sign=0e5a8f9c',
      0x6a1f2b00 * 1000,
    ],
    [
      'S3 SigV4 presigned',
      'https://b.s3.us-east-1.amazonaws.com/o.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261204T180000Z&X-Amz-Expires=3600&X-Amz-Signature=9f',
      at('2026-12-04T19:00:00Z'),
    ],
    [
      'OSS v4',
      'https://b.oss-cn-shanghai.aliyuncs.com/o?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=20261204T180000Z&x-oss-expires=60&x-oss-signature=ab',
      at('2026-12-04T18:01:00Z'),
    ],
    [
      'OSS v1',
      'https://b.oss-cn-shanghai.aliyuncs.com/o?Expires=1780000000&OSSAccessKeyId=LTAI&Signature=abc%3D',
      1780000000_000,
    ],
  ])('%s', (_form, url, expected) => {
    expect(signedUrlExpiresAt(url)).toBe(expected);
  });

  it.each<[string, string | null]>([
    ['null', null],
    ['not a URL', 'not a url'],
    ['an unsigned URL', 'https://example.com/o.jpg'],
    ['S3 with X-Amz-Expires but no X-Amz-Date', 'https://b.s3.amazonaws.com/o?X-Amz-Expires=3600&X-Amz-Signature=9f'],
    ['t= without sign=', 'https://example.com/o?t=6a1f2b00'],
    ['Expires= without a signature', 'https://example.com/o?Expires=1780000000'],
    ['a COS time that is not a number', 'https://c.myqcloud.com/o?q-sign-time=a;b'],
    ['a malformed X-Amz-Date', 'https://b.s3.amazonaws.com/o?X-Amz-Date=2026-12-04&X-Amz-Expires=60'],
  ])('is null for %s', (_case, url) => {
    expect(signedUrlExpiresAt(url)).toBeNull();
  });
});

describe('earliestExpiry', () => {
  it('takes the earliest known expiry, and null when none is known', () => {
    expect(earliestExpiry([null, 3000, 1000, null])).toBe(1000);
    expect(earliestExpiry([null, null])).toBeNull();
    expect(earliestExpiry([])).toBeNull();
  });
});
