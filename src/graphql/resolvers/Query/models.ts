import type { QueryResolvers } from '../../../generated/graphql.js';

export const models: QueryResolvers['models'] = (_parent, _args, context) => context.gateway.listModels({ requestId: context.requestId });
