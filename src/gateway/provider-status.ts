/**
 * Passive provider health: what the last real call to each provider said. Health probes read this
 * instead of calling a paid upstream endpoint.
 */
import type { ErrorCode, GatewayError } from '../errors.js';
import type { LlmProvider } from '../providers/types.js';
import type { ProviderStatus, ProviderSummary } from './catalog-types.js';

/** Errors that say something about the provider, not about the request. */
function blamesProvider(error: GatewayError): boolean {
  return error.retryable || error.code === 'upstream_auth_failed' || error.code === 'upstream_insufficient_credits';
}

export class ProviderStatusTracker {
  private readonly lastFailure = new Map<string, ErrorCode | null>();
  private readonly lastErrorCode = new Map<string, ErrorCode>();

  recordSuccess(providerId: string): void {
    if (this.lastFailure.get(providerId) !== null) this.lastFailure.set(providerId, null);
  }

  recordFailure(providerId: string, error: GatewayError): void {
    this.lastErrorCode.set(providerId, error.code);
    if (blamesProvider(error)) this.lastFailure.set(providerId, error.code);
  }

  status(provider: LlmProvider): ProviderStatus {
    if (!provider.configuration.configured) return 'not_configured';
    return (this.lastFailure.get(provider.id) ?? null) === null ? 'available' : 'degraded';
  }

  summarize(provider: LlmProvider): ProviderSummary {
    return {
      id: provider.id,
      kind: provider.kind,
      configured: provider.configuration.configured,
      status: this.status(provider),
      missingConfiguration: provider.configuration.configured ? null : provider.configuration.missingVariable,
      lastErrorCode: this.lastErrorCode.get(provider.id) ?? null,
    };
  }
}
