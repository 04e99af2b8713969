/** Applies an output filter to a chunk stream: content and reasoning each through their own window. */
import type { ChatChunk, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { OutputFilter } from './output-filter.js';

export async function* filterChunks(chunks: AsyncIterable<ChatChunk>, filter: OutputFilter): AsyncGenerator<ChatChunk> {
  const content = filter.stream();
  const reasoning = filter.stream();
  for await (const chunk of chunks) {
    const choice = chunk.choices[0];
    if (choice === undefined) {
      yield chunk;
      continue;
    }
    const delta = { ...choice.delta };
    if (delta.content !== undefined && delta.content !== '') delta.content = content.push(delta.content);
    if (delta.reasoning !== undefined) delta.reasoning = reasoning.push(delta.reasoning);
    if (choice.finishReason !== null) {
      const restOfReasoning = reasoning.flush();
      const restOfContent = content.flush();
      if (restOfReasoning !== '') delta.reasoning = (delta.reasoning ?? '') + restOfReasoning;
      if (restOfContent !== '') delta.content = (delta.content ?? '') + restOfContent;
    }
    const carriesSomething =
      choice.finishReason !== null || delta.role !== undefined || delta.toolCalls !== undefined || (delta.content ?? '') !== '' || (delta.reasoning ?? '') !== '';
    if (delta.reasoning === '') delete delta.reasoning;
    if (carriesSomething) yield { ...chunk, choices: [{ ...choice, delta }] };
  }
}

export function filterResult(result: ChatCompletionResult, filter: OutputFilter): ChatCompletionResult {
  return {
    ...result,
    choices: result.choices.map((choice) => ({
      ...choice,
      message: {
        ...choice.message,
        content: choice.message.content === null ? null : filter.filterText(choice.message.content),
        reasoning: choice.message.reasoning === null ? null : filter.filterText(choice.message.reasoning),
      },
    })),
  };
}
