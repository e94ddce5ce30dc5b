/**
 * The model checks against what the parsers produce: every seed task, parsed and sent through
 * JSON as the shared tier stores it, passes; values of any other shape do not.
 */
import { seedImageTasks, seedWorkflowTasks } from '../../src/emulator/seed-tasks.js';
import { parseImageTask } from '../../src/parsing/image-task.js';
import { parseWorkflowTask } from '../../src/parsing/workflow-task.js';
import { isImageTaskModel, isWorkflowTaskModel } from '../../src/upstream/shared/model-shapes.js';

const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const images = [...seedImageTasks()].map(
  ([taskId, seed]) => throughJson(parseImageTask(taskId, seed)) as Record<string, unknown>,
);
const workflows = [...seedWorkflowTasks()].map(
  ([taskId, seed]) => throughJson(parseWorkflowTask(taskId, seed)) as Record<string, unknown>,
);

describe('stored task models', () => {
  it('accepts every seed task as its parser produced it', () => {
    expect(images.length).toBeGreaterThan(3);
    expect(workflows.length).toBeGreaterThan(3);
    expect(images.filter((model) => !isImageTaskModel(model)).map((model) => model['taskId'])).toEqual([]);
    expect(workflows.filter((model) => !isWorkflowTaskModel(model)).map((model) => model['taskId'])).toEqual([]);
  });

  it('accepts the parse of a payload the parser could make little of', () => {
    expect(isImageTaskModel(throughJson(parseImageTask('odd-1', { Response: { RequestId: 'r' } })))).toBe(true);
    expect(
      isWorkflowTaskModel(
        throughJson(parseWorkflowTask('odd-2', { RequestId: 'r', WorkflowTask: { NodeResults: 'not json' } })),
      ),
    ).toBe(true);
  });

  it('refuses an empty object, another model, and non-objects', () => {
    for (const value of [{}, [], null, 'text', 7, true]) {
      expect(isImageTaskModel(value)).toBe(false);
      expect(isWorkflowTaskModel(value)).toBe(false);
    }
    expect(isImageTaskModel(workflows[0])).toBe(false);
    expect(isWorkflowTaskModel(images[0])).toBe(false);
  });

  it('refuses a model with a field missing, added, or of the wrong type', () => {
    const image = images[0]!;
    const { taskId: _taskId, ...withoutTaskId } = image;
    expect(isImageTaskModel(withoutTaskId)).toBe(false);
    expect(isImageTaskModel({ ...image, extra: 1 })).toBe(false);
    expect(isImageTaskModel({ ...image, terminal: 'yes' })).toBe(false);
    expect(isImageTaskModel({ ...image, state: 'HACKED' })).toBe(false);
    expect(isImageTaskModel({ ...image, results: [{}] })).toBe(false);
    expect(isImageTaskModel({ ...image, results: 'none' })).toBe(false);
    const workflow = workflows.find((model) => model['workflow'] !== null)!;
    expect(
      isWorkflowTaskModel({ ...workflow, workflow: { ...(workflow['workflow'] as object), graph: { ok: 'maybe' } } }),
    ).toBe(false);
    expect(isWorkflowTaskModel({ ...workflow, nodeResults: { ok: true } })).toBe(false);
  });

  it('refuses every seed model with any one field removed or replaced by a value of another kind', () => {
    // `launchConfig` is whatever JSON the provider sent, so no replacement is of the wrong kind there.
    const anyJson = new Set(['launchConfig']);
    const cases = images.flatMap((model) =>
      Object.keys(model).flatMap((key) => {
        const { [key]: original, ...rest } = model;
        const wrong = typeof original === 'object' && original !== null ? 'text' : { unexpected: [] };
        return [rest, ...(anyJson.has(key) ? [] : [{ ...model, [key]: wrong }])].map((value) => ({ key, value }));
      }),
    );
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.filter(({ value }) => isImageTaskModel(value)).map(({ key }) => key)).toEqual([]);
  });
});
