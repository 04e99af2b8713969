import type { QueryResolvers } from '../../../generated/graphql.js';

export const providerHealth: QueryResolvers['providerHealth'] = (_parent, { id }, context) => context.gateway.providerHealth(id);
