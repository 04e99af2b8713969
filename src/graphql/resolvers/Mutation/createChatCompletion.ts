import type { MutationResolvers } from '../../../generated/graphql.js';
import { toChatCommand } from '../../to-chat-command.js';

export const createChatCompletion: MutationResolvers['createChatCompletion'] = (_parent, { input }, context) =>
  context.gateway.createChatCompletion(toChatCommand(input, context.validator), {
    requestId: context.requestId,
    signal: context.signal,
  });
