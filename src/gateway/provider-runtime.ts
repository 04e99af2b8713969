/**
 * What the gateway knows about each provider while it runs: enabled or disabled by an operator, the
 * last error it gave, and the health of its deployments. Status and listings read this instead of
 * calling a paid upstream endpoint.
 */
import type { GatewayError } from '../errors.js';
import type { BreakerState } from '../vocabulary/breaker-state.js';
import type { DeploymentSummary, ProviderErrorSummary, ProviderStatus, ProviderSummary } from './catalog-types.js';
import type { DeploymentHealth } from './deployment-health.js';
import type { LoadBalancer } from './load-balancer.js';
import type { RegisteredProvider } from './provider-registry.js';
import { deploymentCooldownName, keyCooldownName } from '../resilience/cooldowns.js';

export class ProviderRuntime {
  private readonly disabled = new Set<string>();
  private readonly lastError = new Map<string, ProviderErrorSummary>();
  /** Providers whose most recent call failed in a way that blames them. */
  private readonly failing = new Set<string>();

  constructor(
    readonly health: DeploymentHealth,
    private readonly balancer: LoadBalancer,
    initiallyDisabled: readonly string[] = [],
    private readonly now: () => number = Date.now,
  ) {
    for (const id of initiallyDisabled) this.disabled.add(id);
  }

  isEnabled(providerId: string): boolean {
    return !this.disabled.has(providerId);
  }

  setEnabled(providerId: string, enabled: boolean): void {
    if (enabled) this.disabled.delete(providerId);
    else this.disabled.add(providerId);
  }

  recordSuccess(providerId: string): void {
    this.failing.delete(providerId);
  }

  recordFailure(providerId: string, error: GatewayError): void {
    this.lastError.set(providerId, { code: error.code, message: error.message, at: new Date(this.now()).toISOString() });
    if (error.countsAgainstProvider) this.failing.add(providerId);
  }

  /** A provider is unavailable only when every deployment it has served is open; one open deployment degrades it. */
  status(entry: RegisteredProvider): ProviderStatus {
    const { provider } = entry;
    if (!provider.configuration.configured) return 'not_configured';
    if (this.disabled.has(provider.id)) return 'disabled';
    const deployments = this.deployments(entry);
    const states = deployments.map((deployment) => deployment.state);
    if (states.length > 0 && states.every((state) => state === 'open')) return 'unavailable';
    const sittingOut = deployments.some((deployment) => deployment.state !== 'closed' || deployment.coolingUntil !== null);
    return sittingOut || this.failing.has(provider.id) ? 'degraded' : 'available';
  }

  /** Usable: configured, enabled and not with every deployment open. */
  isUsable(entry: RegisteredProvider): boolean {
    const status = this.status(entry);
    return status === 'available' || status === 'degraded';
  }

  summarize(entry: RegisteredProvider): ProviderSummary {
    const { provider, config } = entry;
    const deployments = this.deployments(entry);
    return {
      id: provider.id,
      kind: config.kind,
      configured: provider.configuration.configured,
      enabled: this.isEnabled(provider.id),
      status: this.status(entry),
      breakerState: overallState(deployments.map((deployment) => deployment.state)),
      missingConfiguration: provider.configuration.configured ? null : provider.configuration.missingVariable,
      models: config.models ?? null,
      lastError: this.lastError.get(provider.id) ?? null,
      keys: entry.keys.map((key) => key.label),
      deployments,
    };
  }

  private deployments(entry: RegisteredProvider): DeploymentSummary[] {
    const { breakers, cooldowns } = this.health;
    return breakers
      .known()
      .filter((name) => name.provider === entry.provider.id)
      .map((name) => {
        const coolingUntil = Math.max(cooldowns.until(deploymentCooldownName(name.id)) ?? 0, cooldowns.until(keyCooldownName(name.provider, name.key)) ?? 0);
        return {
          id: name.id,
          model: name.model,
          key: name.key,
          state: breakers.state(name.id),
          failures: breakers.failuresInWindow(name.id),
          coolingUntil: coolingUntil === 0 ? null : new Date(coolingUntil).toISOString(),
          inFlight: this.balancer.inFlightOf(name.id),
          latencyMs: roundOrNull(this.balancer.latencyOf(name.id)),
        };
      });
  }
}

function overallState(states: BreakerState[]): BreakerState {
  if (states.length > 0 && states.every((state) => state === 'open')) return 'open';
  return states.some((state) => state !== 'closed') ? 'half_open' : 'closed';
}

function roundOrNull(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10) / 10;
}
