import type { QueryResolvers } from '../../../generated/graphql.js';

export const apiKeys: QueryResolvers['apiKeys'] = (_parent, _args, context) => context.gateway.listApiKeys();
