/**
 * Chooses one deployment of a step. `weighted`: weighted random. `least-busy`: fewest requests in
 * flight, weighted random among ties. `lowest-latency`: the lowest moving average of time to first
 * token (whole answers: time to the answer), trying unmeasured deployments first and exploring a
 * random one now and then, so a deployment that recovered is measured again.
 */
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Deployment, RouteStep } from './deployments.js';

/** Share of lowest-latency picks that go to a random deployment instead. */
const EXPLORATION = 0.1;
/** Weight of the newest sample in the moving average. */
const SMOOTHING = 0.3;

export class LoadBalancer {
  private readonly inFlight = new Map<string, number>();
  private readonly latencyMs = new Map<string, number>();

  constructor(
    private readonly random: () => number = Math.random,
    private readonly metrics?: GatewayMetrics,
  ) {}

  pick(step: RouteStep, candidates: readonly Deployment[]): Deployment {
    const chosen = candidates.length === 1 ? candidates[0]! : this.choose(step, candidates);
    this.metrics?.countRoutingDecision(step.strategy, chosen.provider, chosen.key);
    return chosen;
  }

  /** Counts a call in flight; call the returned function when it ends. */
  begin(deployment: Deployment): () => void {
    this.inFlight.set(deployment.id, (this.inFlight.get(deployment.id) ?? 0) + 1);
    // Bound rather than a closure: it runs once, at the call's end, and V8 keeps a closure's
    // optimized code only while a closure that ran it is alive (bench/README.md, "Eleventh pass").
    return this.end.bind(this, deployment.id, { ended: false });
  }

  private end(id: string, call: { ended: boolean }): void {
    if (call.ended) return;
    call.ended = true;
    const left = (this.inFlight.get(id) ?? 1) - 1;
    if (left <= 0) this.inFlight.delete(id);
    else this.inFlight.set(id, left);
  }

  observeLatency(deployment: Deployment, ms: number): void {
    const previous = this.latencyMs.get(deployment.id);
    this.latencyMs.set(deployment.id, previous === undefined ? ms : previous + SMOOTHING * (ms - previous));
  }

  inFlightOf(id: string): number {
    return this.inFlight.get(id) ?? 0;
  }

  latencyOf(id: string): number | undefined {
    return this.latencyMs.get(id);
  }

  /** Forgets what is kept about deployments no longer tracked. */
  forget(id: string): void {
    this.latencyMs.delete(id);
  }

  private choose(step: RouteStep, candidates: readonly Deployment[]): Deployment {
    switch (step.strategy) {
      case 'least-busy': {
        const least = Math.min(...candidates.map((candidate) => this.inFlightOf(candidate.id)));
        return this.weighted(candidates.filter((candidate) => this.inFlightOf(candidate.id) === least));
      }
      case 'lowest-latency': {
        const unmeasured = candidates.filter((candidate) => !this.latencyMs.has(candidate.id));
        if (unmeasured.length > 0) return this.weighted(unmeasured);
        if (this.random() < EXPLORATION) return candidates[Math.floor(this.random() * candidates.length)]!;
        return candidates.reduce((best, candidate) => (this.latencyMs.get(candidate.id)! < this.latencyMs.get(best.id)! ? candidate : best));
      }
      default:
        return this.weighted(candidates);
    }
  }

  private weighted(candidates: readonly Deployment[]): Deployment {
    const total = candidates.reduce((sum, candidate) => sum + candidate.weight, 0);
    let point = this.random() * total;
    for (const candidate of candidates) {
      point -= candidate.weight;
      if (point < 0) return candidate;
    }
    return candidates.at(-1)!;
  }
}
