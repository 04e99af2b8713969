/**
 * Anthropic's Messages request -> the gateway's chat command, so any provider serves it through the
 * one chat path. System text becomes a system message; image blocks become image parts; tool_use
 * blocks become tool calls and tool_result blocks tool messages; thinking blocks of earlier turns
 * are dropped (providers take no reasoning back); `thinking` asks for reasoning.
 */
import type { components } from '../generated/openapi.js';
import type { ChatMessage, ContentPart, ToolCall } from '../vocabulary/chat-request.js';
import type { ChatCompletionCommand } from '../vocabulary/chat-results.js';
import type { PassThroughCommand } from '../vocabulary/pass-through.js';

type Schemas = components['schemas'];
export type AnthropicMessagesRequest = Schemas['AnthropicMessagesRequest'];
export type AnthropicCountTokensRequest = Schemas['AnthropicCountTokensRequest'];
type Block = Schemas['AnthropicContentBlock'];
type MessageParam = Schemas['AnthropicMessageParam'];

function textOf(content: string | readonly Block[] | readonly Record<string, unknown>[] | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((block) => (typeof block.text === 'string' ? block.text : '')).join('');
}

function imagePart(block: Block): ContentPart | undefined {
  const source = block.source;
  if (source?.type === 'base64' && source.data !== undefined) return { type: 'image_url', imageUrl: { url: `data:${source.media_type ?? 'image/png'};base64,${source.data}` } };
  if (source?.type === 'url' && source.url !== undefined) return { type: 'image_url', imageUrl: { url: source.url } };
  return undefined;
}

/** A user turn: its text and images, and a tool message per tool_result block (which come first). */
function userMessages(blocks: readonly Block[]): ChatMessage[] {
  const results: ChatMessage[] = blocks
    .filter((block) => block.type === 'tool_result')
    .map((block) => ({ role: 'tool', toolCallId: block.tool_use_id ?? '', content: `${block.is_error === true ? 'Error: ' : ''}${textOf(block.content)}` }));
  const parts: ContentPart[] = [];
  for (const block of blocks) {
    if (block.type === 'text' && block.text !== undefined) parts.push({ type: 'text', text: block.text });
    if (block.type === 'image') {
      const image = imagePart(block);
      if (image !== undefined) parts.push(image);
    }
  }
  if (parts.length === 0) return results;
  const content = parts.every((part) => part.type === 'text') ? parts.map((part) => (part.type === 'text' ? part.text : '')).join('') : parts;
  return [...results, { role: 'user', content }];
}

function assistantMessage(blocks: readonly Block[]): ChatMessage {
  const toolCalls: ToolCall[] = blocks
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({ id: block.id ?? '', name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) }));
  const text = blocks
    .filter((block) => block.type === 'text')
    .map((block) => block.text ?? '')
    .join('');
  return { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

function toMessages(message: MessageParam): ChatMessage[] {
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  return message.role === 'assistant' ? [assistantMessage(message.content)] : userMessages(message.content);
}

function toolChoice(choice: AnthropicMessagesRequest['tool_choice']): unknown {
  switch (choice?.type) {
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name ?? '' } };
    case 'auto':
      return 'auto';
    default:
      return undefined;
  }
}

/** The chat messages of a Messages request (system first), shared with token counting. */
export function anthropicMessages(request: Pick<AnthropicMessagesRequest, 'system' | 'messages'>): ChatMessage[] {
  const system = textOf(request.system);
  return [...(system === '' ? [] : [{ role: 'system' as const, content: system }]), ...request.messages.flatMap(toMessages)];
}

export function fromAnthropicRequest(request: AnthropicMessagesRequest): { command: ChatCompletionCommand; stream: boolean } {
  const providerOptions: Record<string, unknown> = {};
  const choice = toolChoice(request.tool_choice);
  if (choice !== undefined) providerOptions.tool_choice = choice;
  if (request.top_k !== undefined) providerOptions.top_k = request.top_k;
  // OpenRouter's reasoning budget; other OpenAI-compatible servers ignore it or reason anyway.
  if (request.thinking?.type === 'enabled') providerOptions.reasoning = { max_tokens: request.thinking.budget_tokens ?? 1024 };
  const command: ChatCompletionCommand = {
    model: request.model,
    messages: anthropicMessages(request),
    maxTokens: request.max_tokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.top_p === undefined ? {} : { topP: request.top_p }),
    ...(request.stop_sequences === undefined ? {} : { stop: request.stop_sequences }),
    ...(request.metadata?.user_id === undefined ? {} : { user: request.metadata.user_id }),
    ...(request.tools === undefined ? {} : { tools: request.tools.filter((tool) => tool.type === undefined || tool.type === 'custom').map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.input_schema ?? { type: 'object' } })) }),
    providerOptions,
  };
  return { command, stream: request.stream === true };
}

/** The request as it is, for a provider that speaks Anthropic's protocol itself. */
export function anthropicPassThrough(request: AnthropicMessagesRequest): PassThroughCommand {
  const { model, stream: _stream, ...body } = request as AnthropicMessagesRequest & Record<string, unknown>;
  return { protocol: 'anthropic-messages', model, body, prompt: { system: request.system, messages: request.messages }, maxTokens: request.max_tokens, includeUsage: false };
}
