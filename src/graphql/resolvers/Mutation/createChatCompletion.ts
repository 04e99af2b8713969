import type { MutationResolvers } from '../../../generated/graphql.js';
import { toChatRequest } from '../../request-context.js';

export const createChatCompletion: MutationResolvers['createChatCompletion'] = (_parent, { input }, context) => {
  const { command, request } = toChatRequest(input, context, context.signal);
  return context.gateway.createChatCompletion(command, request);
};
