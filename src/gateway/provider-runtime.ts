/**
 * What the gateway knows about each provider while it runs: enabled or disabled by an operator,
 * its breaker, and the last error it gave. Status and health read this instead of calling a paid
 * upstream endpoint.
 */
import { GatewayError } from '../errors.js';
import type { RegisteredProvider } from './provider-registry.js';
import type { ProviderBreakers } from '../resilience/provider-breakers.js';
import type { ProviderErrorSummary, ProviderStatus, ProviderSummary } from './catalog-types.js';

export class ProviderRuntime {
  private readonly disabled = new Set<string>();
  private readonly lastError = new Map<string, ProviderErrorSummary>();
  /** Providers whose most recent call failed in a way that blames them. */
  private readonly failing = new Set<string>();

  constructor(
    readonly breakers: ProviderBreakers,
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

  status({ provider }: RegisteredProvider): ProviderStatus {
    if (!provider.configuration.configured) return 'not_configured';
    if (this.disabled.has(provider.id)) return 'disabled';
    const breaker = this.breakers.state(provider.id);
    if (breaker === 'open') return 'unavailable';
    return breaker === 'half_open' || this.failing.has(provider.id) ? 'degraded' : 'available';
  }

  /** Usable: configured, enabled and not behind an open breaker. */
  isUsable(entry: RegisteredProvider): boolean {
    const status = this.status(entry);
    return status === 'available' || status === 'degraded';
  }

  summarize(entry: RegisteredProvider): ProviderSummary {
    const { provider, config } = entry;
    return {
      id: provider.id,
      kind: config.kind,
      configured: provider.configuration.configured,
      enabled: this.isEnabled(provider.id),
      status: this.status(entry),
      breakerState: this.breakers.state(provider.id),
      missingConfiguration: provider.configuration.configured ? null : provider.configuration.missingVariable,
      models: config.models ?? null,
      lastError: this.lastError.get(provider.id) ?? null,
    };
  }
}
