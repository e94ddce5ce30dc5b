/**
 * The `operation` label of graphql_requests_total is chosen by the caller, so its budget
 * (200 names) must go to operations that exist (issue 9, defect 7): names of documents
 * that never parsed or validated used to fill it for the life of the process, after which
 * real operations were counted as `(other)`. Refused requests share one fixed label.
 */
import { startTestStack, type TestStack } from '../support/stack.js';

function requestCount(metricsText: string, operation: string): number {
  const pattern = new RegExp(
    `^graphql_requests_total\\{operation="${operation.replace(/[()]/g, '\\$&')}",outcome="[a-z]+"\\} (\\d+)$`,
    'gm',
  );
  return [...metricsText.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe('operation labels', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps the label budget for operations that parsed and validated', async () => {
    // 210 invented names: unparsable documents, unknown fields, and names the document does not have.
    const send = (query: string, operationName: string) =>
      stack.request('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, operationName }),
      });
    for (let i = 0; i < 70; i += 1) {
      await send(`query Junk${i} {`, `Junk${i}`);
      await send(`query Invalid${i} { nope }`, `Invalid${i}`);
      await send('{ __typename }', `Missing${i}`);
    }
    const { body } = await stack.query('query RealDashboard { __typename }');
    expect(body.errors).toBeUndefined();

    const metrics = (await stack.request('/metrics')).text;
    expect(requestCount(metrics, 'RealDashboard')).toBe(1);
    expect(requestCount(metrics, '(other)')).toBe(0);
    expect(requestCount(metrics, '(refused)')).toBe(210);
    expect(metrics).not.toMatch(/operation="(Junk|Invalid|Missing)\d+"/);
  });

  it('labels an operation refused by a limit as (refused) too', async () => {
    const before = requestCount((await stack.request('/metrics')).text, '(refused)');
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: _service { __typename }`).join(' ');
    const { status } = await stack.query(`query TooManyAliases { ${aliases} }`);
    expect(status).toBe(400);
    const metrics = (await stack.request('/metrics')).text;
    expect(requestCount(metrics, '(refused)') - before).toBe(1);
    expect(requestCount(metrics, 'TooManyAliases')).toBe(0);
  });
});
