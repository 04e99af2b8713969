import { toUsageFilter } from '../../../gateway/usage-filter.js';
import type { QueryResolvers } from '../../../generated/graphql.js';

export const usage: QueryResolvers['usage'] = (_parent, args, context) =>
  context.gateway.usage(toUsageFilter(args, context.principal, context.clientId));
