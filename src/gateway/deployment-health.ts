/**
 * Health at the grain of the failure. A deployment's breaker and cooldown are its own; a rejected
 * key sits out for all its models (unless it is the provider's only key); other replicas learn of
 * both through shared health. The fallback runner asks here which deployments may take a call.
 */
import type { BreakerPolicy, CooldownConfig } from '../config/types.js';
import type { GatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { Cooldowns, deploymentCooldownName, keyCooldownName, type CooldownReason } from '../resilience/cooldowns.js';
import { DeploymentBreakers, type DeploymentTicket } from '../resilience/deployment-breakers.js';
import type { SharedHealth } from '../resilience/shared-health.js';
import type { BreakerState } from '../vocabulary/breaker-state.js';
import type { Deployment } from './deployments.js';

export type Availability = 'available' | 'cooling' | 'open';

export interface DeploymentHealthDeps {
  policyFor: (providerId: string) => BreakerPolicy;
  cooldowns: CooldownConfig;
  logger: Logger;
  now: () => number;
  metrics?: GatewayMetrics;
}

export class DeploymentHealth {
  readonly breakers: DeploymentBreakers;
  readonly cooldowns: Cooldowns;
  private shared: SharedHealth | undefined;

  constructor(private readonly deps: DeploymentHealthDeps) {
    this.cooldowns = new Cooldowns(deps.now);
    this.breakers = new DeploymentBreakers(deps.policyFor, deps.cooldowns, deps.logger, deps.now, deps.metrics);
    this.breakers.onChange((name, state, openUntil) => {
      if (state !== 'open' || openUntil === undefined) return;
      // Other replicas skip it until its first probe is due.
      this.shared?.publish(deploymentCooldownName(name.id), openUntil);
      deps.metrics?.countCooldown(name, 'breaker_open');
    });
  }

  /** Shares cooldowns and opened breakers with the other replicas from now on. */
  shareThrough(shared: SharedHealth): void {
    this.shared = shared;
  }

  availability(deployment: Deployment): Availability {
    if (this.coolingRemaining(deployment) > 0) return 'cooling';
    return this.breakers.state(deployment.id) === 'open' ? 'open' : 'available';
  }

  coolingRemaining(deployment: Deployment): number {
    return Math.max(this.cooldowns.remainingMs(deploymentCooldownName(deployment.id)), this.cooldowns.remainingMs(keyCooldownName(deployment.provider, deployment.key)));
  }

  admit(deployment: Deployment, forceProbe = false): DeploymentTicket | undefined {
    return this.breakers.admit(deployment, forceProbe);
  }

  /**
   * Reacts to what the upstream blamed: a 429 cools the deployment for its `Retry-After` (capped);
   * a rejected key cools the key for every model, unless it is the provider's only key.
   */
  learnFrom(deployment: Deployment, error: GatewayError, maxRetryAfterMs: number): void {
    if (error.coolsDeployment) {
      const asked = error.retryAfterSeconds === undefined ? this.deps.cooldowns.rateLimitedMs : error.retryAfterSeconds * 1000;
      this.cool(deployment, deploymentCooldownName(deployment.id), Math.min(asked, maxRetryAfterMs), 'rate_limited');
    }
    if (error.blamesKey) {
      if (deployment.entry.keys.length > 1) {
        this.cool(deployment, keyCooldownName(deployment.provider, deployment.key), this.deps.cooldowns.keyRejectedMs, 'key_rejected');
      } else {
        this.deps.logger.error({ provider: deployment.provider, key: deployment.key, code: error.code }, `provider ${deployment.provider} rejected its only key ${deployment.key}: fix the key`);
      }
    }
  }

  state(deployment: Deployment): BreakerState {
    return this.breakers.state(deployment.id);
  }

  close(): void {
    this.breakers.shutdown();
  }

  private cool(deployment: Deployment, name: string, forMs: number, reason: CooldownReason): void {
    if (forMs <= 0) return;
    const until = this.cooldowns.cool(name, forMs);
    this.shared?.publish(name, until);
    this.deps.metrics?.countCooldown(deployment, reason);
    this.deps.logger.warn({ deployment: deployment.id, reason, coolMs: until - this.deps.now() }, `${reason === 'key_rejected' ? `key ${deployment.key}` : deployment.id} sits out for ${Math.round((until - this.deps.now()) / 1000)} s`);
  }
}
