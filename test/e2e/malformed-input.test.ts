/**
 * Malformed input that the reliability fuzz (test/reliability/fuzz.reliability.ts) found
 * answered as INTERNAL_SERVER_ERROR: each is the caller's mistake, so BAD_USER_INPUT.
 */
import { startTestStack, type TestStack } from '../support/stack.js';

const ENTITIES =
  'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ImageTask { taskId state } } }';

describe('malformed input', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a mutation: this subgraph has no such root type', async () => {
    const { status, body } = await stack.query('mutation { imageTask }');
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'This subgraph has no mutation type; only queries and subscriptions are supported',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
  });

  it('refuses a subscription over plain HTTP, naming the two ways to subscribe, and calls no provider', async () => {
    stack.emulator.resetCalls();
    const { status, body } = await stack.query('subscription ($id: ID!) { imageTaskUpdated(taskId: $id) { state } }', {
      id: 'x',
    });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/WebSocket.*callback/),
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(stack.emulator.callCount()).toBe(0);
  });

  it.each([
    ['an unknown __typename', { __typename: 'Nope', taskId: 'x' }],
    ['no __typename', { taskId: 'x' }],
    ['a representation that is not an object', 'ImageTask'],
  ])('refuses _entities with %s, naming the index', async (_name, representation) => {
    stack.emulator.resetCalls();
    const { body } = await stack.query(ENTITIES, {
      representations: [{ __typename: 'ImageTask', taskId: 'x' }, representation],
    });
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'representations[1] must be an object whose __typename is one of ImageTask, WorkflowTask',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(stack.emulator.callCount()).toBe(0);
  });

  it.each([null, 42, ['a'], { id: 'a' }])(
    'fails only its own entry when a representation has taskId %p',
    async (taskId) => {
      stack.emulator.resetCalls();
      const { body } = await stack.query(ENTITIES, {
        representations: [
          { __typename: 'ImageTask', taskId },
          { __typename: 'ImageTask', taskId: '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4' },
        ],
      });
      expect(body.data?._entities).toEqual([
        null,
        { taskId: '24000089-WorkflowTask-0723542d0c164c958ba116874fa9b0c4', state: 'UNKNOWN' },
      ]);
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['_entities', 0],
          message: 'taskId must be a string',
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
      expect(stack.emulator.callCount()).toBe(1);
    },
  );
});
