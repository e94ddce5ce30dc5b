/**
 * Signed output URLs are temporary: no cache of this subgraph (task cache, both response
 * caches, Cache-Control) keeps an answer past the earliest expiry of a URL in it. The
 * emulator signs URLs for 3 s here; the test waits for real expiry and counts provider calls.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SEED } from '../../src/emulator/index.js';
import { signedUrlExpiresAt } from '../../src/parsing/signed-url-expiry.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const LIFETIME_SECONDS = 3;
const queryOf = (taskId: string) =>
  `{ imageTask(taskId: "${taskId}") { state resultSet { output { signedUrl signedUrlExpiresAt } } } }`;

interface Answer {
  data: {
    imageTask: { resultSet: Array<{ output: { signedUrl: string | null; signedUrlExpiresAt: string | null } | null }> };
  };
}

function urlsOf(text: string): Array<{ signedUrl: string; signedUrlExpiresAt: string | null }> {
  const answer = JSON.parse(text) as Answer;
  return answer.data.imageTask.resultSet.flatMap((result) =>
    result.output?.signedUrl
      ? [{ signedUrl: result.output.signedUrl, signedUrlExpiresAt: result.output.signedUrlExpiresAt }]
      : [],
  );
}

function maxAge(headers: Record<string, string>): number | null {
  const match = /max-age=(\d+)/.exec(headers['cache-control'] ?? '');
  return match ? Number(match[1]) : null;
}

describe('signed URLs are never served expired from a cache', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ CACHE_MAX_ENTRIES: '1000' }, { signedUrlLifetimeSeconds: LIFETIME_SECONDS });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    [
      'POST',
      SEED.image.finishedSuccess,
      (s: TestStack, query: string) =>
        s.request('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        }),
    ],
    [
      'GET',
      SEED.image.finishedPartial,
      (s: TestStack, query: string) =>
        s.request(`/graphql?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': 'true' } }),
    ],
  ])('over %s: cached while the URLs are valid, asked again once they expire', async (_method, taskId, send) => {
    const ask = (s: TestStack) => send(s, queryOf(taskId));
    stack.emulator.resetCalls();
    const first = await ask(stack);
    const receivedAt = Date.now();
    expect(first.status).toBe(200);
    const urls = urlsOf(first.text);
    expect(urls.length).toBeGreaterThan(0);
    const expiries = urls.map(({ signedUrl }) => signedUrlExpiresAt(signedUrl));
    for (const [index, { signedUrlExpiresAt: shown }] of urls.entries()) {
      expect(shown).toBe(new Date(expiries[index]!).toISOString().replace('.000Z', 'Z'));
    }
    const earliest = Math.min(...expiries.map((expiry) => expiry ?? Infinity));
    expect(earliest).toBeGreaterThan(receivedAt - 1000);
    expect(maxAge(first.headers)).toBeLessThanOrEqual(LIFETIME_SECONDS);
    expect(stack.emulator.callCount()).toBe(1);

    // While the URLs are valid, the answer comes from a cache.
    const again = await ask(stack);
    if (Date.now() < earliest) expect(stack.emulator.callCount()).toBe(1);
    expect(
      urlsOf(again.text).every(({ signedUrl }) => (signedUrlExpiresAt(signedUrl) ?? Infinity) > Date.now() - 1000),
    ).toBe(true);

    await sleep(Math.max(0, earliest - Date.now()) + 50);
    const later = await ask(stack);
    const laterAt = Date.now();
    expect(stack.emulator.callCount()).toBe(2);
    for (const { signedUrl } of urlsOf(later.text)) expect(signedUrlExpiresAt(signedUrl)).toBeGreaterThan(laterAt);
  });
});
