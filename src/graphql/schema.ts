/** The one executable schema, shared by Apollo (HTTP) and graphql-ws (subscriptions). */
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { readGraphqlSdl } from '../schema-files.js';
import { resolvers } from './resolvers/index.js';

export function createGraphqlSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: readGraphqlSdl(), resolvers });
}
