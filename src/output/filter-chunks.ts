/**
 * Applies an output filter to a chunk stream: content, reasoning and each tool call's arguments each
 * through their own window, so a whole answer and its stream are filtered alike.
 */
import type { ChatChunk, ChatCompletionResult, ToolCallDeltaResult } from '../vocabulary/chat-results.js';
import type { OutputFilter, TextStreamFilter } from './output-filter.js';
import { asFlow, type Flow } from '../streams/flow.js';
import { StageFlow } from '../streams/stage-flow.js';

/** Filters tool-call argument fragments per call index; what is held back goes out with the finish. */
class ToolArgumentFilters {
  private readonly byIndex = new Map<number, TextStreamFilter>();

  constructor(private readonly filter: OutputFilter) {}

  push(calls: readonly ToolCallDeltaResult[]): ToolCallDeltaResult[] {
    return calls.map((call) => {
      if (call.argumentsDelta === undefined) return call;
      let stream = this.byIndex.get(call.index);
      if (stream === undefined) {
        stream = this.filter.stream();
        this.byIndex.set(call.index, stream);
      }
      return { ...call, argumentsDelta: stream.push(call.argumentsDelta) };
    });
  }

  flush(): ToolCallDeltaResult[] {
    const rest: ToolCallDeltaResult[] = [];
    for (const [index, stream] of this.byIndex) {
      const text = stream.flush();
      if (text !== '') rest.push({ index, argumentsDelta: text });
    }
    return rest;
  }
}

export function filterChunks(chunks: AsyncIterable<ChatChunk>, filter: OutputFilter): Flow<ChatChunk> {
  const content = filter.stream();
  const reasoning = filter.stream();
  const toolArguments = new ToolArgumentFilters(filter);
  return new StageFlow(asFlow(chunks), {
    item: (chunk: ChatChunk, emit: (chunk: ChatChunk) => void) => {
      const choice = chunk.choices[0];
      if (choice === undefined) return emit(chunk);
      const delta = { ...choice.delta };
      if (delta.content !== undefined && delta.content !== '') delta.content = content.push(delta.content);
      if (delta.reasoning !== undefined) delta.reasoning = reasoning.push(delta.reasoning);
      if (delta.toolCalls !== undefined) delta.toolCalls = toolArguments.push(delta.toolCalls);
      if (choice.finishReason !== null) {
        const restOfReasoning = reasoning.flush();
        const restOfContent = content.flush();
        const restOfArguments = toolArguments.flush();
        if (restOfReasoning !== '') delta.reasoning = (delta.reasoning ?? '') + restOfReasoning;
        if (restOfContent !== '') delta.content = (delta.content ?? '') + restOfContent;
        if (restOfArguments.length > 0) delta.toolCalls = [...(delta.toolCalls ?? []), ...restOfArguments];
      }
      const carriesSomething =
        choice.finishReason !== null || delta.role !== undefined || delta.toolCalls !== undefined || (delta.content ?? '') !== '' || (delta.reasoning ?? '') !== '';
      if (delta.reasoning === '') delete delta.reasoning;
      if (carriesSomething) emit({ ...chunk, choices: [{ ...choice, delta }] });
    },
  });
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
        toolCalls: choice.message.toolCalls.map((call) => ({ ...call, arguments: filter.filterText(call.arguments) })),
      },
    })),
  };
}
