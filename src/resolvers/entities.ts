/**
 * `_entities` is written by @apollo/subgraph, which throws a plain Error for a
 * representation whose `__typename` names no entity of this schema (or is missing):
 * that would be masked as INTERNAL_SERVER_ERROR, which means "a bug here". A router
 * never sends such a representation; anyone else who does gets BAD_USER_INPUT naming
 * the index. A well-typed representation with a bad `taskId` fails only its own entry
 * (resolvers/task-ids.ts).
 */
import { isUnionType, type GraphQLSchema } from 'graphql';
import { badUserInput } from './errors.js';

export function guardEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()['_entities'];
  const union = schema.getType('_Entity');
  if (!field?.resolve || !isUnionType(union)) return schema;
  const entityTypes = union.getTypes().map((type) => type.name);
  const resolve = field.resolve;
  field.resolve = (source, args, context, info) => {
    const representations: unknown = args['representations'];
    if (Array.isArray(representations)) {
      representations.forEach((representation: unknown, index) => {
        const typename: unknown = typeof representation === 'object' && representation !== null ? (representation as Record<string, unknown>)['__typename'] : undefined;
        if (typeof typename !== 'string' || !entityTypes.includes(typename)) {
          throw badUserInput(`representations[${index}] must be an object whose __typename is one of ${entityTypes.join(', ')}`);
        }
      });
    }
    return resolve(source, args, context, info);
  };
  return schema;
}
