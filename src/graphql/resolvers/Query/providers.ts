import type { QueryResolvers } from '../../../generated/graphql.js';

export const providers: QueryResolvers['providers'] = (_parent, _args, context) => context.gateway.listProviders(context.principal);
