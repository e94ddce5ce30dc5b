/**
 * The schema only grows. Clients and the supergraph's other subgraphs depend on
 * today's fields, so no change may remove a type, field, argument or enum value
 * or change a field's type (graphql-js `findBreakingChanges`, the offline form of
 * `rover subgraph check`). On top of that, an existing field keeps its exact type,
 * nullability included: graphql-js calls "nullable became non-null" safe for an
 * output field, but a client generated against `String` that starts receiving
 * errors where it used to get null is not served by that.
 *
 * The baseline is test/fixtures/schema-baseline.graphql: the SDL this subgraph
 * served when the baseline was last taken, printed by graphql-js `printSchema`
 * from the same `buildSchema()` the server uses. After a deliberate *additive*
 * change, refresh it so later changes are checked against the new fields too:
 *
 *   UPDATE_SCHEMA_BASELINE=1 node --experimental-vm-modules node_modules/jest/bin/jest.js test/schema-baseline.test.ts
 *
 * and commit the file with the change. Refreshing never hides a breaking change:
 * the file is written only when the comparison found none.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  buildSchema as buildSchemaFromSdl,
  findBreakingChanges,
  isInterfaceType,
  isObjectType,
  printSchema,
  type GraphQLSchema,
} from 'graphql';
import { buildSchema } from '../src/schema.js';

const BASELINE = new URL('./fixtures/schema-baseline.graphql', import.meta.url);

/** Fields of the baseline whose type (as printed, `String!` vs `String`) is not the same now. */
function changedFieldTypes(baseline: GraphQLSchema, current: GraphQLSchema): string[] {
  const changed: string[] = [];
  for (const type of Object.values(baseline.getTypeMap())) {
    const now = current.getType(type.name);
    if (!(isObjectType(type) || isInterfaceType(type)) || !(isObjectType(now) || isInterfaceType(now))) continue;
    const nowFields = now.getFields();
    for (const field of Object.values(type.getFields())) {
      const nowField = nowFields[field.name];
      if (nowField && String(nowField.type) !== String(field.type)) {
        changed.push(`${type.name}.${field.name}: ${String(field.type)} -> ${String(nowField.type)}`);
      }
    }
  }
  return changed;
}

function incompatibilities(baseline: GraphQLSchema, current: GraphQLSchema): string[] {
  return [
    ...findBreakingChanges(baseline, current).map((change) => `${change.type}: ${change.description}`),
    ...changedFieldTypes(baseline, current).map((change) => `FIELD_TYPE_CHANGED: ${change}`),
  ];
}

describe('schema compatibility', () => {
  it('makes no breaking change against the committed baseline', () => {
    const current = printSchema(buildSchema());
    const problems = incompatibilities(buildSchemaFromSdl(readFileSync(BASELINE, 'utf8')), buildSchemaFromSdl(current));
    if (problems.length === 0 && process.env.UPDATE_SCHEMA_BASELINE === '1') writeFileSync(BASELINE, current);
    expect(problems).toEqual([]);
  });

  it('reports a removed field, a type change and a nullable field made non-null', () => {
    const baseline = buildSchemaFromSdl('type Query { a: String b: Int c: String d: [Int!]! }');
    const changed = buildSchemaFromSdl('type Query { b: Int! c: Int d: [Int!]! e: String }');
    expect(incompatibilities(baseline, changed)).toEqual([
      'FIELD_REMOVED: Query.a was removed.',
      'FIELD_CHANGED_KIND: Query.c changed type from String to Int.',
      'FIELD_TYPE_CHANGED: Query.b: Int -> Int!',
      'FIELD_TYPE_CHANGED: Query.c: String -> Int',
    ]);
  });
});
