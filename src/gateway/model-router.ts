/**
 * A client's `model` -> the targets to try, in order. Resolution, in this order:
 * 1. no model: the configured default model;
 * 2. an alias: its model;
 * 3. a fallback chain configured for the name: its targets;
 * 4. `provider/model` where the provider is configured and serves the model: that provider;
 * 5. a bare name some provider lists in its models: that provider;
 * 6. anything else: the default provider, with the name unchanged (OpenRouter ids contain slashes).
 * A provider with a model list never receives a model outside it: that is `model_not_found` here,
 * before any upstream call.
 */
import type { RoutingConfig } from '../config/load-config.js';
import { GatewayError } from '../errors.js';
import type { ProviderRegistry, RegisteredProvider } from './provider-registry.js';

export interface Target {
  entry: RegisteredProvider;
  upstreamModel: string;
}

function serves(entry: RegisteredProvider, model: string): boolean {
  return entry.config.models === undefined || entry.config.models.includes(model);
}

export class ModelRouter {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly routing: RoutingConfig,
  ) {}

  resolve(requested: string | undefined): Target[] {
    const model = requested ?? this.routing.defaultModel;
    if (model === undefined) {
      throw new GatewayError('invalid_request', "Missing required parameter: 'model' (no DEFAULT_MODEL is configured).", { param: 'model' });
    }
    const name = this.routing.aliases[model] ?? model;
    const chain = this.routing.fallbacks[model] ?? this.routing.fallbacks[name];
    if (chain !== undefined) return chain.map((target) => this.resolveOne(target));
    return [this.resolveOne(name)];
  }

  private resolveOne(model: string): Target {
    const slash = model.indexOf('/');
    if (slash > 0) {
      const explicit = this.registry.get(model.slice(0, slash));
      const upstreamModel = model.slice(slash + 1);
      if (explicit !== undefined && upstreamModel !== '' && explicit.provider.configuration.configured && serves(explicit, upstreamModel)) {
        return { entry: explicit, upstreamModel };
      }
    }
    const declaring = this.registry.list().find((entry) => entry.config.models?.includes(model) === true);
    if (declaring !== undefined) return { entry: declaring, upstreamModel: model };

    const fallback = this.registry.get(this.routing.defaultProvider);
    if (fallback === undefined || !serves(fallback, model)) {
      throw new GatewayError('model_not_found', `No configured provider serves the model "${model}". GET /v1/models lists the models.`, {
        param: 'model',
      });
    }
    return { entry: fallback, upstreamModel: model };
  }
}
