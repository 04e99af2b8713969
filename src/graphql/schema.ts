/**
 * The one executable schema, shared by Apollo (HTTP) and graphql-ws (subscriptions). Every root
 * field is wrapped with its access check from FIELD_ACCESS; a field without one stops start-up.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { requireAccess } from '../auth/access.js';
import type { Resolvers } from '../generated/graphql.js';
import { readGraphqlSdl } from '../contract/schema-files.js';
import type { GraphQLContext } from './context.js';
import { FIELD_ACCESS } from './field-access.js';
import { resolvers } from './resolvers/index.js';

const ROOT_TYPES = ['Query', 'Mutation', 'Subscription'] as const;

type AnyResolver = (parent: unknown, args: unknown, context: GraphQLContext, info: unknown) => unknown;

function guard(name: string, resolver: AnyResolver): AnyResolver {
  const access = FIELD_ACCESS[name];
  if (access === undefined) throw new Error(`GraphQL field ${name} has no entry in FIELD_ACCESS.`);
  return (parent, args, context, info) => {
    requireAccess(context.principal, access);
    return resolver(parent, args, context, info);
  };
}

function withAccessChecks(all: Resolvers): Resolvers {
  const guarded: Record<string, unknown> = { ...all };
  for (const type of ROOT_TYPES) {
    const fields = all[type] as Record<string, AnyResolver | { subscribe: AnyResolver; resolve?: AnyResolver }> | undefined;
    if (fields === undefined) continue;
    guarded[type] = Object.fromEntries(
      Object.entries(fields).map(([field, resolver]) => {
        const name = `${type}.${field}`;
        return [name.split('.')[1], typeof resolver === 'function' ? guard(name, resolver) : { ...resolver, subscribe: guard(name, resolver.subscribe) }];
      }),
    );
  }
  return guarded as Resolvers;
}

export function createGraphqlSchema(): GraphQLSchema {
  const schema = makeExecutableSchema({ typeDefs: readGraphqlSdl(), resolvers: withAccessChecks(resolvers) });
  for (const type of ROOT_TYPES) {
    for (const field of Object.keys(schema.getType(type) === undefined ? {} : (schema.getType(type) as { getFields(): object }).getFields())) {
      if (FIELD_ACCESS[`${type}.${field}`] === undefined) throw new Error(`GraphQL field ${type}.${field} has no entry in FIELD_ACCESS.`);
    }
  }
  return schema;
}
