/**
 * A client's `model` -> the provider that serves it and the provider's own model id.
 * `openrouter/deepseek/deepseek-chat` names the provider explicitly; anything whose first segment
 * is not a provider id goes to the default provider unchanged (OpenRouter ids contain slashes).
 */
import { GatewayError } from '../errors.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { LlmProvider } from '../providers/types.js';

export interface Route {
  provider: LlmProvider;
  upstreamModel: string;
}

export function resolveRoute(model: string, registry: ProviderRegistry): Route {
  const slash = model.indexOf('/');
  if (slash > 0) {
    const explicit = registry.get(model.slice(0, slash));
    const upstreamModel = model.slice(slash + 1);
    if (explicit !== undefined) {
      if (upstreamModel === '') {
        throw new GatewayError('model_not_found', `No model named after provider prefix "${explicit.id}/".`, { param: 'model' });
      }
      return { provider: explicit, upstreamModel };
    }
  }
  const provider = registry.get(registry.defaultProviderId);
  if (provider === undefined) throw new GatewayError('model_not_found', `No provider serves model "${model}".`, { param: 'model' });
  return { provider, upstreamModel: model };
}
