/**
 * Active provider checks for `GET /v1/providers/{id}/health`: one call to the provider's free
 * model-list endpoint at most every `ttlMs`, shared by everyone who asks meanwhile, so probes never
 * turn into one upstream call each.
 */
import type { RegisteredProvider } from './provider-registry.js';
import type { ProviderHealthCheck } from '../providers/types.js';
import type { ProviderHealthResult } from './catalog-types.js';
import type { ProviderRuntime } from './provider-runtime.js';

const CHECK_TIMEOUT_MS = 5_000;

interface CachedCheck {
  expiresAt: number;
  checkedAt: number;
  result: Promise<ProviderHealthCheck>;
}

export class ProviderHealthChecks {
  private readonly cache = new Map<string, CachedCheck>();

  constructor(
    private readonly runtime: ProviderRuntime,
    private readonly now: () => number,
    private readonly ttlMs = 30_000,
  ) {}

  async check(entry: RegisteredProvider): Promise<ProviderHealthResult> {
    const { provider } = entry;
    const { breakerState, deployments } = this.runtime.summarize(entry);
    const base = { id: provider.id, breakerState, deployments };
    if (!provider.configuration.configured || !this.runtime.isEnabled(provider.id)) {
      return { ...base, status: this.runtime.status(entry), reachable: null, latencyMs: null, errorCode: null, checkedAt: null };
    }
    let cached = this.cache.get(provider.id);
    if (cached === undefined || cached.expiresAt <= this.now()) {
      const checkedAt = this.now();
      cached = { checkedAt, expiresAt: checkedAt + this.ttlMs, result: provider.checkHealth({ signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) }) };
      this.cache.set(provider.id, cached);
    }
    const result = await cached.result;
    return {
      ...base,
      status: this.runtime.status(entry),
      reachable: result.ok,
      latencyMs: result.latencyMs,
      errorCode: result.errorCode ?? null,
      checkedAt: new Date(cached.checkedAt).toISOString(),
    };
  }
}
