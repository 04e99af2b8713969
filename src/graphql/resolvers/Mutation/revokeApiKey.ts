import type { MutationResolvers } from '../../../generated/graphql.js';

export const revokeApiKey: MutationResolvers['revokeApiKey'] = (_parent, { id }, context) => context.gateway.revokeApiKey(id);
