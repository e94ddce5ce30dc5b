import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLNamedType,
} from 'graphql';
import { buildSchema } from '../src/schema.js';

/** Types the federation library adds; their documentation is Apollo's. */
const FEDERATION_TYPES = new Set([
  '_Any',
  '_Entity',
  '_Service',
  'FieldSet',
  'link__Import',
  'link__Purpose',
  'federation__FieldSet',
  'federation__Scope',
  'federation__Policy',
  'federation__ContextFieldValue',
]);

function ownTypes(): GraphQLNamedType[] {
  return Object.values(buildSchema().getTypeMap()).filter(
    (type) =>
      !type.name.startsWith('__') &&
      !FEDERATION_TYPES.has(type.name) &&
      !(isScalarType(type) && isSpecifiedScalarType(type)),
  );
}

describe('schema', () => {
  it('documents every type, field, argument and enum value, so the SDL reads as documentation in Sandbox', () => {
    const undocumented: string[] = [];
    for (const type of ownTypes()) {
      if (!type.description) undocumented.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (field.name.startsWith('_')) continue;
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) undocumented.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) undocumented.push(`${type.name}.${value.name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});
