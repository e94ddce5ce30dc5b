/**
 * The subgraph schema: the SDL files in schema/ plus the resolvers. The files are
 * read from the package root, which is one level above both src/ and dist/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { guardEntityRepresentations } from './resolvers/entities.js';
import { resolvers } from './resolvers/index.js';

export const SCHEMA_DIR = new URL('../schema/', import.meta.url);

/** Every .graphql file in schema/, in name order so the document is the same on every machine. */
export function loadTypeDefs(): DocumentNode {
  const files = readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith('.graphql'))
    .sort();
  return parse(files.map((name) => readFileSync(new URL(name, SCHEMA_DIR), 'utf8')).join('\n'));
}

export function buildSchema(): GraphQLSchema {
  // The generated Resolvers type is stricter than the library's map; the shapes agree at run time.
  return guardEntityRepresentations(
    buildSubgraphSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as GraphQLResolverMap<unknown> }),
  );
}
