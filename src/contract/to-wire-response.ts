/** Gateway results -> OpenAI wire bodies, typed by the OpenAPI spec so they cannot drift from it. */
import type { DeploymentSummary, ModelSummary, ProviderHealthResult, ProviderSummary } from '../gateway/catalog-types.js';
import type { ChatChunk, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { TokenUsage } from '../vocabulary/chat-request.js';
import type {
  ChatCompletionBody,
  ChatCompletionChunkBody,
  DeploymentBody,
  ModelListBody,
  ProviderBody,
  ProviderHealthBody,
  ProviderListBody,
  UsageBody,
} from './openai-wire-types.js';

export function toWireUsage(usage: TokenUsage): UsageBody {
  const body: UsageBody = {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
  };
  if (usage.cachedTokens !== undefined && usage.cachedTokens !== null) body.prompt_tokens_details = { cached_tokens: usage.cachedTokens };
  if (usage.reasoningTokens !== undefined && usage.reasoningTokens !== null) {
    body.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  }
  if (usage.cost !== undefined && usage.cost !== null) body.cost = usage.cost;
  return body;
}

export function toWireCompletion(result: ChatCompletionResult): ChatCompletionBody {
  const body: ChatCompletionBody = {
    id: result.id,
    object: 'chat.completion',
    created: result.created,
    model: result.model,
    provider: result.provider,
    attempts: result.attempts,
    choices: result.choices.map((choice) => {
      const message: ChatCompletionBody['choices'][number]['message'] = { role: 'assistant', content: choice.message.content };
      if (choice.message.reasoning !== null) message.reasoning = choice.message.reasoning;
      if (choice.message.toolCalls.length > 0) {
        message.tool_calls = choice.message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }));
      }
      return { index: choice.index, message, finish_reason: choice.finishReason, logprobs: null };
    }),
  };
  if (result.usage !== null) body.usage = toWireUsage(result.usage);
  return body;
}

export function toWireChunk(chunk: ChatChunk): ChatCompletionChunkBody {
  return {
    id: chunk.id,
    object: 'chat.completion.chunk',
    created: chunk.created,
    model: chunk.model,
    provider: chunk.provider,
    choices: chunk.choices.map((choice) => {
      const delta: ChatCompletionChunkBody['choices'][number]['delta'] = {};
      if (choice.delta.role !== undefined) delta.role = choice.delta.role;
      if (choice.delta.content !== undefined) delta.content = choice.delta.content;
      if (choice.delta.reasoning !== undefined) delta.reasoning = choice.delta.reasoning;
      if (choice.delta.toolCalls !== undefined) {
        delta.tool_calls = choice.delta.toolCalls.map((call) => {
          const wire: NonNullable<typeof delta.tool_calls>[number] = { index: call.index };
          if (call.id !== undefined) {
            wire.id = call.id;
            wire.type = 'function';
          }
          if (call.name !== undefined || call.argumentsDelta !== undefined) {
            wire.function = {};
            if (call.name !== undefined) wire.function.name = call.name;
            if (call.argumentsDelta !== undefined) wire.function.arguments = call.argumentsDelta;
          }
          return wire;
        });
      }
      return { index: choice.index, delta, finish_reason: choice.finishReason };
    }),
    usage: chunk.usage === null ? null : toWireUsage(chunk.usage),
  };
}

export function toWireModelList(models: ModelSummary[]): ModelListBody {
  return {
    object: 'list',
    data: models.map((model) => ({
      id: model.id,
      object: 'model',
      created: model.created ?? 0,
      owned_by: model.ownedBy ?? model.provider,
      provider: model.provider,
      context_length: model.contextLength,
    })),
  };
}

function toWireDeployment(deployment: DeploymentSummary): DeploymentBody {
  return {
    id: deployment.id,
    model: deployment.model,
    key: deployment.key,
    state: deployment.state,
    failures: deployment.failures,
    cooling_until: deployment.coolingUntil,
    in_flight: deployment.inFlight,
    latency_ms: deployment.latencyMs,
  };
}

export function toWireProvider(provider: ProviderSummary): ProviderBody {
  return {
    id: provider.id,
    kind: provider.kind,
    configured: provider.configured,
    enabled: provider.enabled,
    status: provider.status,
    breaker_state: provider.breakerState,
    missing_configuration: provider.missingConfiguration,
    models: provider.models === null ? null : [...provider.models],
    last_error: provider.lastError,
    keys: [...provider.keys],
    deployments: provider.deployments.map(toWireDeployment),
  };
}

export function toWireProviderList(providers: ProviderSummary[]): ProviderListBody {
  return { object: 'list', data: providers.map(toWireProvider) };
}

export function toWireProviderHealth(health: ProviderHealthResult): ProviderHealthBody {
  return {
    id: health.id,
    status: health.status,
    breaker_state: health.breakerState,
    reachable: health.reachable,
    latency_ms: health.latencyMs,
    error_code: health.errorCode,
    checked_at: health.checkedAt,
    deployments: health.deployments.map(toWireDeployment),
  };
}
