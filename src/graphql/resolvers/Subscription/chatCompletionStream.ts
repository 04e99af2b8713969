/**
 * Streams chunks as subscription events. A failure is delivered as one last event whose resolve
 * throws, so the client gets `errors[].extensions.code` and then `complete`, instead of graphql-ws
 * closing the whole socket. `return()` (client completes, socket closes) aborts the upstream call
 * at once rather than at the next chunk.
 */
import { GatewayError, toGatewayError } from '../../../errors.js';
import type { ChatChunk } from '../../../vocabulary/chat-results.js';
import type { SubscriptionResolvers } from '../../../generated/graphql.js';
import type { GraphQLContext } from '../../context.js';
import { toGraphQLError } from '../../format-error.js';
import { toChatRequest } from '../../request-context.js';

type StreamEvent = ChatChunk | GatewayError;

function streamEvents(context: GraphQLContext, start: (signal: AbortSignal) => AsyncIterator<ChatChunk>): AsyncIterableIterator<StreamEvent> {
  const abort = new AbortController();
  const onContextAbort = () => abort.abort(context.signal.reason);
  context.signal.addEventListener('abort', onContextAbort, { once: true });
  let chunks: AsyncIterator<ChatChunk> | undefined;
  let finished = false;
  // At shutdown an open subscription ends with the shutting_down error as its last event.
  const close = context.streams.open('graphql_ws', (error) => abort.abort(error));
  const finish = () => {
    if (finished) return;
    finished = true;
    close();
    context.signal.removeEventListener('abort', onContextAbort);
  };

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<StreamEvent>> {
      if (finished) return { done: true, value: undefined };
      try {
        chunks ??= start(abort.signal);
        const result = await chunks.next();
        if (result.done === true) finish();
        return result.done === true ? { done: true, value: undefined } : result;
      } catch (error) {
        finish();
        return { done: false, value: toGatewayError(error) };
      }
    },
    async return(): Promise<IteratorResult<StreamEvent>> {
      if (!finished) abort.abort(new Error('subscription completed by the client'));
      finish();
      void chunks?.return?.();
      return { done: true, value: undefined };
    },
  };
}

export const chatCompletionStream: SubscriptionResolvers['chatCompletionStream'] = {
  subscribe: (_parent, { input }, context) =>
    streamEvents(context, (signal) => {
      const { command, request } = toChatRequest(input, context, signal);
      return context.gateway.streamChatCompletion(command, request);
    }),
  resolve: (event: StreamEvent) => {
    if (event instanceof GatewayError) throw toGraphQLError(event);
    return event;
  },
};
