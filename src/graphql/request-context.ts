/** A GraphQL chat input -> the gateway command and request context, shared by the mutation and the subscription. */
import type { ChatCompletionCommand } from '../vocabulary/chat-results.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import type { ChatCompletionInput } from '../generated/graphql.js';
import type { GraphQLContext } from './context.js';
import { toChatCommand } from './to-chat-command.js';

export function toChatRequest(input: ChatCompletionInput, context: GraphQLContext, signal: AbortSignal): { command: ChatCompletionCommand; request: RequestContext } {
  const { cache, ...rest } = input;
  return {
    command: toChatCommand(rest, context.validator),
    request: {
      requestId: context.requestId,
      clientId: context.clientId,
      principal: context.principal,
      signal,
      ...(context.report === undefined ? {} : { report: context.report }),
      ...(context.traceparent === undefined ? {} : { traceparent: context.traceparent }),
      cache: { noCache: cache?.noCache === true, noStore: cache?.noStore === true },
    },
  };
}
