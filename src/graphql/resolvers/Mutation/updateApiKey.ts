import type { MutationResolvers } from '../../../generated/graphql.js';
import { toKeyLimits } from '../../key-limits-input.js';

export const updateApiKey: MutationResolvers['updateApiKey'] = (_parent, { id, limits }, context) =>
  context.gateway.updateApiKey(id, toKeyLimits(limits, context.validator));
