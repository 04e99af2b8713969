/**
 * ChatCompletionInput -> the gateway command, through the contract layer REST uses too: the input
 * is rendered as the wire body and checked by the same OpenAPI rules, so both APIs accept exactly
 * the same requests, and errors name fields in GraphQL's own terms from the start.
 */
import { GatewayError } from '../errors.js';
import type { ChatCompletionCommand } from '../vocabulary/chat-results.js';
import type { ChatCompletionInput } from '../generated/graphql.js';
import { fromWireRequest } from '../contract/from-wire-request.js';
import type { CreateChatCompletionRequest } from '../contract/openai-wire-types.js';
import type { ParamNamer, RequestValidator } from '../contract/request-validator.js';

function camelCase(segment: string): string {
  return segment.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** `messages[0].tool_call_id` -> `input.messages[0].toolCallId`; provider options keep their names. */
function inputParamNamer(providerOptionKeys: ReadonlySet<string>): ParamNamer {
  return (param) => {
    if (param === '') return 'input';
    const first = param.split(/[.[]/, 1)[0] ?? '';
    if (providerOptionKeys.has(first)) return `input.providerOptions.${param}`;
    return `input.${param.split('.').map(camelCase).join('.')}`;
  };
}

function toWireBody(input: ChatCompletionInput): Record<string, unknown> {
  const options = input.providerOptions ?? {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new GatewayError('invalid_request', "Invalid type for 'input.providerOptions': expected object.", { param: 'input.providerOptions' });
  }
  return {
    ...(options as Record<string, unknown>),
    model: input.model,
    messages: input.messages.map((message) => ({
      role: message.role,
      content: message.content ?? null,
      name: message.name ?? undefined,
      tool_call_id: message.toolCallId ?? undefined,
      tool_calls: message.toolCalls?.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
    })),
    temperature: input.temperature ?? undefined,
    top_p: input.topP ?? undefined,
    max_tokens: input.maxTokens ?? undefined,
    stop: input.stop ?? undefined,
    presence_penalty: input.presencePenalty ?? undefined,
    frequency_penalty: input.frequencyPenalty ?? undefined,
    seed: input.seed ?? undefined,
    user: input.user ?? undefined,
    tools: input.tools?.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description ?? undefined, parameters: tool.parameters ?? undefined },
    })),
  };
}

function dropUndefined(value: unknown): unknown {
  // Ajv treats a present-but-undefined property as present; JSON round-tripping is what REST sees.
  return JSON.parse(JSON.stringify(value)) as unknown;
}

export function toChatCommand(input: ChatCompletionInput, validator: RequestValidator): ChatCompletionCommand {
  const controlled = ['model', 'messages', 'stream', 'stream_options'];
  const providerOptionKeys = new Set(Object.keys((input.providerOptions as Record<string, unknown> | null | undefined) ?? {}));
  for (const key of providerOptionKeys) {
    if (controlled.includes(key)) {
      throw new GatewayError('invalid_request', `'input.providerOptions.${key}' is set by the gateway; use the input field instead.`, {
        param: `input.providerOptions.${key}`,
      });
    }
  }
  const body = dropUndefined(toWireBody(input));
  const nameParam = inputParamNamer(providerOptionKeys);
  return fromWireRequest(validator.validateBody<CreateChatCompletionRequest>('createChatCompletion', body, nameParam), nameParam).command;
}
