import type { MutationResolvers } from '../../../generated/graphql.js';
import { toEmbeddingsCommand } from '../../to-embeddings-command.js';

export const createEmbeddings: MutationResolvers['createEmbeddings'] = (_parent, { input }, context) => {
  const { cache, ...rest } = input;
  return context.gateway.createEmbeddings(toEmbeddingsCommand(rest, context.validator), {
    requestId: context.requestId,
    clientId: context.clientId,
    principal: context.principal,
    signal: context.signal,
    ...(context.report === undefined ? {} : { report: context.report }),
    ...(context.traceparent === undefined ? {} : { traceparent: context.traceparent }),
    cache: { noCache: cache?.noCache === true, noStore: cache?.noStore === true },
  });
};
