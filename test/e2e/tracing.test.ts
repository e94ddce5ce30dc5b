/**
 * Federated tracing (ftv1): Apollo Server turns on inline tracing by itself for a
 * subgraph schema. The router asks for a trace with `apollo-federation-include-trace: ftv1`
 * and gets it, base64 protobuf, in `extensions.ftv1`; other callers never see one.
 */
import { SEED } from '../../src/emulator/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const QUERY = `{ imageTask(taskId: "${SEED.image.docExampleFinished}") { taskId state } }`;

describe('federated tracing', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ NODE_ENV: 'production' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('adds extensions.ftv1 when the router asks for it', async () => {
    const { body } = await stack.query(QUERY, undefined, { 'apollo-federation-include-trace': 'ftv1' });
    expect(body.data).toEqual({ imageTask: { taskId: SEED.image.docExampleFinished, state: 'UNKNOWN' } });
    const extensions = (body as { extensions?: { ftv1?: unknown } }).extensions;
    expect(extensions?.ftv1).toEqual(expect.stringMatching(/^[A-Za-z0-9+/]+={0,2}$/));
    expect(Buffer.from(extensions!.ftv1 as string, 'base64').length).toBeGreaterThan(0);
  });

  it('adds no trace otherwise', async () => {
    const { body } = await stack.query(QUERY);
    expect(body.data?.imageTask).toBeDefined();
    expect((body as { extensions?: unknown }).extensions).toBeUndefined();
  });
});
