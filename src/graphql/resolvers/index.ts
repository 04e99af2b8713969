/** Every resolver, assembled into the generated `Resolvers` type so the SDL and code cannot drift. */
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import type { Resolvers } from '../../generated/graphql.js';
import { createApiKey } from './Mutation/createApiKey.js';
import { createChatCompletion } from './Mutation/createChatCompletion.js';
import { createEmbeddings } from './Mutation/createEmbeddings.js';
import { revokeApiKey } from './Mutation/revokeApiKey.js';
import { updateApiKey } from './Mutation/updateApiKey.js';
import { apiKeys } from './Query/apiKeys.js';
import { setProviderEnabled } from './Mutation/setProviderEnabled.js';
import { providerHealth } from './Query/providerHealth.js';
import { health } from './Query/health.js';
import { models } from './Query/models.js';
import { providers } from './Query/providers.js';
import { usage } from './Query/usage.js';
import { chatCompletionStream } from './Subscription/chatCompletionStream.js';

function parseLiteral(node: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => parseLiteral(value, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, parseLiteral(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      return undefined;
  }
}

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value. Used only for provider-specific pass-through options.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral,
});

export const resolvers: Resolvers = {
  CreatedApiKey: { apiKey: (created) => created.record },
  JSON: JSONScalar,
  ChatRole: { SYSTEM: 'system', DEVELOPER: 'developer', USER: 'user', ASSISTANT: 'assistant', TOOL: 'tool' },
  FinishReason: { STOP: 'stop', LENGTH: 'length', TOOL_CALLS: 'tool_calls', CONTENT_FILTER: 'content_filter', ERROR: 'error', OTHER: 'other' },
  ProviderStatus: { AVAILABLE: 'available', DEGRADED: 'degraded', UNAVAILABLE: 'unavailable', DISABLED: 'disabled', NOT_CONFIGURED: 'not_configured' },
  BreakerState: { CLOSED: 'closed', OPEN: 'open', HALF_OPEN: 'half_open' },
  CacheStatus: { HIT: 'HIT', MISS: 'MISS', BYPASS: 'BYPASS' },
  RedisStatus: { CONNECTED: 'connected', UNAVAILABLE: 'unavailable', NOT_CONFIGURED: 'not_configured' },
  HealthStatus: { OK: 'ok', DEGRADED: 'degraded', DOWN: 'down' },
  EmbeddingEncoding: { FLOAT: 'float', BASE64: 'base64' },
  Embedding: { index: (item) => Number(item.index ?? 0), embedding: (item) => item.embedding },
  Query: { providers, providerHealth, models, health, usage, apiKeys },
  Mutation: { createChatCompletion, createEmbeddings, setProviderEnabled, createApiKey, updateApiKey, revokeApiKey },
  Subscription: { chatCompletionStream },
};
