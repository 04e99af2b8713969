/** ChatRequest -> an OpenAI-compatible request body. */
import type { ChatMessage, ChatRequest, ContentPart } from '../types.js';

function toWireContent(content: ChatMessage['content']): unknown {
  if (content === null || typeof content === 'string') return content;
  return content.map((part: ContentPart) =>
    part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: part.imageUrl },
  );
}

function toWireMessage(message: ChatMessage): Record<string, unknown> {
  const wire: Record<string, unknown> = { role: message.role, content: toWireContent(message.content) };
  if (message.name !== undefined) wire.name = message.name;
  if (message.toolCallId !== undefined) wire.tool_call_id = message.toolCallId;
  if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
    wire.tool_calls = message.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return wire;
}

export function toWireRequest(
  request: ChatRequest,
  stream: boolean,
  providerDefaults: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  // Pass-through options go first so that nothing in them can replace what the gateway controls.
  return {
    ...providerDefaults,
    ...request.providerOptions,
    model: request.model,
    messages: request.messages.map(toWireMessage),
    stream,
    stream_options: stream ? { include_usage: true } : undefined,
    temperature: request.temperature,
    top_p: request.topP,
    max_tokens: request.maxTokens,
    stop: request.stop,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    seed: request.seed,
    user: request.user,
    tools: request.tools?.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters,
        strict: tool.strict ?? undefined,
      },
    })),
  };
}
