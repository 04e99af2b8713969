import type { QueryResolvers } from '../../../generated/graphql.js';

export const health: QueryResolvers['health'] = (_parent, _args, context) => context.gateway.health();
