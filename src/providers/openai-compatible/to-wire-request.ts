/**
 * ChatRequest -> an OpenAI-compatible request body. Fields the gateway does not interpret (message,
 * part and tool fields, top-level options) are sent as the client sent them; the gateway's own
 * fields are written last, so nothing passed through can replace them.
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolDefinition } from '../types.js';

function toWirePart(part: ContentPart): unknown {
  switch (part.type) {
    case 'text':
      return { ...part.extra, type: 'text', text: part.text };
    case 'image_url':
      return { ...part.extra, type: 'image_url', image_url: part.imageUrl };
    default:
      return part.part;
  }
}

function toWireMessage(message: ChatMessage): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...message.extra, role: message.role, content: message.content === null || typeof message.content === 'string' ? message.content : message.content.map(toWirePart) };
  if (message.name !== undefined) wire.name = message.name;
  if (message.toolCallId !== undefined) wire.tool_call_id = message.toolCallId;
  if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
    wire.tool_calls = message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  return wire;
}

function toWireTool(tool: ToolDefinition): unknown {
  if (tool.raw !== undefined) return tool.raw;
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters, strict: tool.strict ?? undefined } };
}

export function toWireRequest(request: ChatRequest, stream: boolean, providerDefaults: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  let options = request.providerOptions;
  let clientStreamOptions: unknown;
  // A rest copy only when there is something to take out: most requests pass no stream options.
  if (options !== undefined && Object.hasOwn(options, 'stream_options')) ({ stream_options: clientStreamOptions, ...options } = options);
  return {
    ...providerDefaults,
    ...options,
    model: request.model,
    messages: request.messages.map(toWireMessage),
    stream,
    // Usage is always asked for: the gateway accounts for every streamed token. The client's other stream options travel on.
    stream_options: stream ? { ...(clientStreamOptions as Record<string, unknown> | undefined), include_usage: true } : undefined,
    temperature: request.temperature,
    top_p: request.topP,
    max_tokens: request.maxTokens,
    stop: request.stop,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    seed: request.seed,
    user: request.user,
    tools: request.tools?.map(toWireTool),
  };
}
