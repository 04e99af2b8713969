import type { MutationResolvers } from '../../../generated/graphql.js';

export const setProviderEnabled: MutationResolvers['setProviderEnabled'] = (_parent, { id, enabled }, context) =>
  context.gateway.setProviderEnabled(id, enabled);
