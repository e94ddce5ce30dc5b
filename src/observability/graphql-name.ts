/** A GraphQL name (spec §2.1.9), at most 100 characters: what may become a log field, span attribute or metric label. */
export const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
