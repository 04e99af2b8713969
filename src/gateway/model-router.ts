/**
 * A client's `model` -> the route to take: ordered steps, each a set of deployments. Resolution,
 * in this order:
 * 1. no model: the configured default model;
 * 2. an alias: its model;
 * 3. a fallback chain configured for the name: its steps (each a target or a group);
 * 4. a group configured for the name: one step over its deployments;
 * 5. `provider/model` where the provider is configured and serves the model: that provider;
 * 6. a bare name some provider lists in its models: that provider;
 * 7. anything else: the default provider, with the name unchanged (OpenRouter ids contain slashes).
 * A provider with a model list never receives a model outside it: that is `model_not_found` here,
 * before any upstream call. Every target expands into one deployment per key of its provider.
 */
import type { RoutingConfig } from '../config/types.js';
import { GatewayError } from '../errors.js';
import { deploymentsOf, type RouteStep } from './deployments.js';
import type { ProviderRegistry, RegisteredProvider } from './provider-registry.js';

function serves(entry: RegisteredProvider, model: string): boolean {
  return entry.config.models === undefined || entry.config.models.includes(model);
}

/** Names that must never reach a plain-object lookup as keys of their own. */
function own<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/**
 * Routes resolved so far, by the name a client sent. The registry and the routing are fixed at
 * start-up, so a name always resolves the same way; resolving once keeps each request from building
 * its deployments (objects and id strings) anew, and every later lookup by deployment id (breakers,
 * cooldowns, balancer, metrics) meets a string whose hash is already known. Bounded, because clients
 * choose the names: past the bound the oldest name is resolved again when next asked for.
 */
const MAX_CACHED_ROUTES = 1024;

export class ModelRouter {
  private readonly routes = new Map<string, readonly RouteStep[]>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly routing: RoutingConfig,
  ) {}

  /** How many names have a resolved route kept (at most MAX_CACHED_ROUTES). */
  get routesKnown(): number {
    return this.routes.size;
  }

  /** The route for a model name; shared between requests, so callers derive new arrays rather than change it. */
  resolve(requested: string | undefined): readonly RouteStep[] {
    const model = requested ?? this.routing.defaultModel;
    if (model === undefined) {
      throw new GatewayError('invalid_request', "Missing required parameter: 'model' (no DEFAULT_MODEL is configured).", { param: 'model' });
    }
    const known = this.routes.get(model);
    if (known !== undefined) return known;
    const route = this.resolveName(model);
    if (this.routes.size >= MAX_CACHED_ROUTES) this.routes.delete(this.routes.keys().next().value as string);
    this.routes.set(model, route);
    return route;
  }

  private resolveName(model: string): RouteStep[] {
    const name = own(this.routing.aliases, model) ?? model;
    const chain = own(this.routing.fallbacks, model) ?? own(this.routing.fallbacks, name);
    if (chain !== undefined) return chain.map((step) => this.step(step));
    return [this.step(name)];
  }

  private step(name: string): RouteStep {
    const group = own(this.routing.groups, name);
    if (group === undefined) {
      const { entry, upstreamModel } = this.resolveOne(name);
      return { name: `${entry.provider.id}/${upstreamModel}`, strategy: 'weighted', deployments: deploymentsOf(entry, upstreamModel) };
    }
    const deployments = group.deployments.flatMap(({ target, weight }) => {
      const { entry, upstreamModel } = this.resolveOne(target);
      return deploymentsOf(entry, upstreamModel, weight);
    });
    return { name, strategy: group.strategy, deployments };
  }

  private resolveOne(model: string): { entry: RegisteredProvider; upstreamModel: string } {
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
