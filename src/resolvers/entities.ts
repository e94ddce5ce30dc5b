/**
 * `_entities`, the router's way in: more than MAX_ENTITY_REPRESENTATIONS representations are refused
 * with BAD_USER_INPUT naming the limit, and a representation whose `__typename` names no entity
 * (which @apollo/subgraph reports as a plain Error) is BAD_USER_INPUT naming its index, not
 * INTERNAL_SERVER_ERROR. A bad `taskId` fails only its own entry (resolvers/task-ids.ts).
 */
import { isUnionType, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../context.js';
import { badUserInput } from './errors.js';

export function guardEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()['_entities'];
  const union = schema.getType('_Entity');
  if (!field?.resolve || !isUnionType(union)) return schema;
  const entityTypes = union.getTypes().map((type) => type.name);
  const resolve = field.resolve;
  field.resolve = (source, args, context: RequestContext, info) => {
    const representations: unknown = args['representations'];
    if (Array.isArray(representations)) {
      const max = context.limits.maxEntityRepresentations;
      if (representations.length > max) {
        throw badUserInput(
          `representations has ${representations.length} entries; at most ${max} are allowed per query (MAX_ENTITY_REPRESENTATIONS)`,
        );
      }
      representations.forEach((representation: unknown, index) => {
        const typename: unknown =
          typeof representation === 'object' && representation !== null
            ? (representation as Record<string, unknown>)['__typename']
            : undefined;
        if (typeof typename !== 'string' || !entityTypes.includes(typename)) {
          throw badUserInput(
            `representations[${index}] must be an object whose __typename is one of ${entityTypes.join(', ')}`,
          );
        }
      });
    }
    return resolve(source, args, context, info);
  };
  return schema;
}
