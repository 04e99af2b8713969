/**
 * A deployment is one provider + one upstream model + one API key: the unit of health, cooldown and
 * load balancing. A route is the ordered steps a request may take (a fallback chain), each step a
 * set of deployments the load balancer chooses among.
 */
import type { BalancingStrategy } from '../config/types.js';
import type { DeploymentName } from '../resilience/deployment-breakers.js';
import type { KeyedProvider, RegisteredProvider } from './provider-registry.js';

export interface Deployment extends DeploymentName {
  readonly entry: RegisteredProvider;
  readonly upstreamModel: string;
  /** The instance that sends this deployment's key (`key` is only its label). */
  readonly keyed: KeyedProvider;
  /** Share of its step's traffic, relative to the step's other deployments. */
  readonly weight: number;
}

export interface RouteStep {
  /** The group name, or `provider/model` for a single target. */
  readonly name: string;
  readonly strategy: BalancingStrategy;
  readonly deployments: readonly Deployment[];
}

export function deploymentId(providerId: string, upstreamModel: string, keyLabel: string): string {
  return `${providerId}/${upstreamModel}#${keyLabel}`;
}

/** One deployment per key of the provider; `weight` is split among the keys by their own weights. */
export function deploymentsOf(entry: RegisteredProvider, upstreamModel: string, weight = 1): Deployment[] {
  const keyWeights = entry.keys.reduce((sum, key) => sum + key.weight, 0);
  return entry.keys.map((key) => ({
    id: deploymentId(entry.provider.id, upstreamModel, key.label),
    provider: entry.provider.id,
    model: upstreamModel,
    key: key.label,
    keyed: key,
    entry,
    upstreamModel,
    weight: (weight * key.weight) / keyWeights,
  }));
}

/** `provider/model` names of a route, for cache keys and allow-lists: keys do not change the answer. */
export function targetNames(steps: readonly RouteStep[]): string[] {
  return [...new Set(steps.flatMap((step) => step.deployments.map((deployment) => `${deployment.provider}/${deployment.upstreamModel}`)))];
}
