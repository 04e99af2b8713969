/** The fallback runner's collaborators, real but in-process, with a clock the test controls. */
import { createLogger } from '../../src/observability/logger.js';
import { DeploymentHealth } from '../../src/gateway/deployment-health.js';
import type { RunnerDeps } from '../../src/gateway/fallback-runner.js';
import { LoadBalancer } from '../../src/gateway/load-balancer.js';
import type { ProviderRegistry } from '../../src/gateway/provider-registry.js';
import { ProviderRuntime } from '../../src/gateway/provider-runtime.js';
import { RetryBudget } from '../../src/resilience/retry-budget.js';

export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = 1_700_000_000_000): TestClock {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

export function runnerDeps(registry: ProviderRegistry, clock: TestClock, random: () => number = () => 0): RunnerDeps {
  const logger = createLogger('silent');
  const health = new DeploymentHealth({
    policyFor: (id) => registry.get(id)!.config.breaker,
    cooldowns: { rateLimitedMs: 1_000, keyRejectedMs: 60_000, maxDeployments: 100, idleMs: 600_000 },
    logger,
    now: clock.now,
  });
  const balancer = new LoadBalancer(random);
  return {
    runtime: new ProviderRuntime(health, balancer, [], clock.now),
    health,
    balancer,
    budget: new RetryBudget({ ratio: 1, minPerSecond: 100 }, clock.now),
    logger,
    now: clock.now,
    random,
  };
}
