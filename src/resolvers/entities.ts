/**
 * `_entities` is the router's way in, and each representation is one lookup: a request
 * with thousands of them would hold thousands of places in the providers' rate-limit
 * queues. The router batches far fewer per fetch, so more than MAX_ENTITY_REPRESENTATIONS
 * is refused with BAD_USER_INPUT naming the limit, as MAX_TASK_IDS does for lists.
 *
 * `_entities` is written by @apollo/subgraph, which throws a plain Error for a
 * representation whose `__typename` names no entity of this schema (or is missing):
 * that would be masked as INTERNAL_SERVER_ERROR, which means "a bug here". A router
 * never sends such a representation; anyone else who does gets BAD_USER_INPUT naming
 * the index. A well-typed representation with a bad `taskId` fails only its own entry
 * (resolvers/task-ids.ts).
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
        throw badUserInput(`representations has ${representations.length} entries; at most ${max} are allowed per query (MAX_ENTITY_REPRESENTATIONS)`);
      }
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
