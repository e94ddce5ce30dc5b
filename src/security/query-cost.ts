/**
 * The work an operation asks for, before it runs: every selected field costs 1 (`layout`, which
 * runs dagre, LAYOUT_COST), times the length of each `taskIds` or `representations` list it is
 * under (literal, variable or default). Fragments are flattened, every alias counts; lists the
 * provider returns count once; both type conditions count (over-estimate).
 */
import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { foldSelections } from './fold-selections.js';
import { INTROSPECTION_FIELDS } from './introspection.js';

/**
 * `WorkflowGraph.layout` runs a dagre layout per selection (per alias), far more work than reading
 * a field; 100 keeps the dashboard's list of 100 workflow tasks (13,000) within the default
 * MAX_QUERY_COST, while layouts aliased over such a list are refused (docs/security.md).
 */
export const LAYOUT_COST = 100;

/** Fields whose own cost is more than 1. */
const FIELD_COSTS = new Map([['layout', LAYOUT_COST]]);

/** Arguments whose list length multiplies their field's selection. */
const LIST_ARGUMENTS = new Set(['taskIds', 'representations']);

export interface CostInput {
  readonly operation: OperationDefinitionNode;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** As the caller sent them (before coercion). */
  readonly variables: Readonly<Record<string, unknown>> | undefined;
}

/** An argument's list length: a list literal, a list variable (or its default), anything else 1 (GraphQL coerces a single value to a list of one). */
function listLength(value: ValueNode, input: CostInput): number {
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind !== Kind.VARIABLE) return 1;
  const name = value.name.value;
  const given = input.variables?.[name];
  if (Array.isArray(given)) return given.length;
  if (given !== undefined) return 1;
  const fallback = input.operation.variableDefinitions?.find(
    (definition) => definition.variable.name.value === name,
  )?.defaultValue;
  return fallback?.kind === Kind.LIST ? fallback.values.length : 1;
}

export function operationCost(input: CostInput): number {
  const costOf = foldSelections(
    // Unknown or cyclic fragments fail validation, which ran before this.
    (name) => input.fragments.get(name),
    (field, childCost) => {
      if (INTROSPECTION_FIELDS.has(field.name.value)) return 0;
      let multiplier = 1;
      for (const argument of field.arguments ?? []) {
        if (LIST_ARGUMENTS.has(argument.name.value)) multiplier *= listLength(argument.value, input);
      }
      return multiplier * ((FIELD_COSTS.get(field.name.value) ?? 1) + childCost);
    },
    (a, b) => a + b,
  );
  return costOf(input.operation.selectionSet);
}

export function queryCostMessage(cost: number, maxCost: number): string {
  return `Query costs ${cost}; the limit is ${maxCost} (MAX_QUERY_COST): fields selected, multiplied by the length of each taskIds or representations list`;
}
