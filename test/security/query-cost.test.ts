import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { LAYOUT_COST, operationCost } from '../../src/security/query-cost.js';

function costOf(query: string, variables?: Record<string, unknown>): number {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment] as const),
  );
  return operationCost({ operation, fragments, variables });
}

describe('query cost', () => {
  it('counts every selected field once, __typename and aliases included', () => {
    expect(costOf('{ imageTask(taskId: "a") { taskId t: __typename results { status } } }')).toBe(5);
  });

  it('multiplies a selection by the length of a taskIds list literal or variable', () => {
    expect(costOf('{ imageTasks(taskIds: ["a", "b", "c"]) { taskId state } }')).toBe(9);
    expect(costOf('query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }', { ids: ['a', 'b'] })).toBe(4);
    // A single value is coerced to a list of one.
    expect(costOf('query ($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }', { ids: 'a' })).toBe(2);
    expect(costOf('query ($ids: [ID!]! = ["a", "b", "c", "d"]) { imageTasks(taskIds: $ids) { taskId } }', {})).toBe(8);
  });

  it('multiplies by the number of _entities representations, fragments flattened and spread as often as they are', () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { __typename ...I ... on WorkflowTask { taskId ...W } } }
      fragment I on ImageTask { taskId state }
      fragment W on WorkflowTask { state ...I2 }
      fragment I2 on WorkflowTask { status }`;
    // Per representation: 1 (_entities) + __typename + taskId state + taskId + state + status = 7.
    expect(costOf(query, { r: Array.from({ length: 100 }, () => ({})) })).toBe(700);
  });

  it('leaves introspection out', () => {
    expect(costOf('{ __schema { types { name fields { name } } } __typename }')).toBe(1);
  });

  it('counts each layout, alias by alias, at LAYOUT_COST: it runs dagre once per selection', () => {
    const one = '{ workflowTask(taskId: "w") { workflow { graph { layout { width } } } } }';
    expect(costOf(one)).toBe(4 + LAYOUT_COST);
    const aliased = `{ workflowTask(taskId: "w") { workflow { graph { ${Array.from({ length: 15 }, (_, i) => `l${i}: layout { width }`).join(' ')} } } } }`;
    expect(costOf(aliased)).toBe(3 + 15 * (LAYOUT_COST + 1));
  });
});
