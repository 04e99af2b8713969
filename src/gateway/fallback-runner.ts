/**
 * Runs one request along its route. Within a step the load balancer picks a deployment among those
 * that may take a call (configured, enabled, not cooling, breaker not open), preferring ones this
 * request has not tried; a retryable failure moves to another deployment at once, and retries the
 * same one (with backoff, within the retry budget and the deadline) only when none is left. When a
 * step has nothing left the next step is tried. When every deployment of the route is behind an
 * open breaker, the one that opened earliest takes the request as a probe. Decisions come from the
 * error catalog, cooldowns and breaker state, never from message text.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, toGatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { TraceSpan } from '../observability/tracing.js';
import type { ResponseReport } from '../vocabulary/request-context.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { retryDelayMs } from '../resilience/backoff.js';
import type { DeploymentTicket } from '../resilience/deployment-breakers.js';
import type { RetryBudget } from '../resilience/retry-budget.js';
import type { DeploymentHealth } from './deployment-health.js';
import type { Deployment, RouteStep } from './deployments.js';
import type { LoadBalancer } from './load-balancer.js';
import type { ProviderRuntime } from './provider-runtime.js';

export interface RunnerDeps {
  runtime: ProviderRuntime;
  health: DeploymentHealth;
  balancer: LoadBalancer;
  metrics?: GatewayMetrics;
  budget: RetryBudget;
  logger: Logger;
  now: () => number;
  random?: () => number;
}

export interface RunContext {
  requestId: string;
  /** Aborted when the client leaves or the request deadline passes. */
  signal: AbortSignal;
  deadlineAt: number;
  /** The request's span: each attempt gets a child span. */
  span?: TraceSpan;
  /** Where time spent on providers is added up. */
  report?: ResponseReport;
}

export interface RunSuccess<T> {
  value: T;
  deployment: Deployment;
  attempts: number;
  /** Still open: the caller settles it when the call really ends (a stream, later). */
  ticket: DeploymentTicket;
}

export type Attempt<T> = (deployment: Deployment, signal: AbortSignal, attemptsSoFar: number, traceparent: string | undefined) => Promise<T>;

/** Settles a failed attempt: the client leaving decides nothing; anything else is learned from. */
export function settleFailure(deps: RunnerDeps, deployment: Deployment, ticket: DeploymentTicket, error: unknown, signal: AbortSignal): GatewayError {
  const gatewayError = toGatewayError(error);
  if (signal.aborted) {
    ticket.abandon();
    return gatewayError;
  }
  ticket.fail(gatewayError);
  deps.health.learnFrom(deployment, gatewayError, deployment.entry.config.retry.maxRetryAfterMs);
  deps.runtime.recordFailure(deployment.provider, gatewayError);
  return gatewayError;
}

function skipError(deps: RunnerDeps, deployment: Deployment): GatewayError | undefined {
  const { provider } = deployment.keyed;
  if (!provider.configuration.configured) {
    return new GatewayError('provider_not_configured', `Provider ${provider.id} is not configured: set ${provider.configuration.missingVariable}.`, { provider: provider.id });
  }
  if (!deps.runtime.isEnabled(provider.id)) {
    return new GatewayError('provider_disabled', `Provider ${provider.id} is disabled by an operator.`, { provider: provider.id });
  }
  return undefined;
}

const SKIP_CODES = new Set(['provider_disabled', 'provider_not_configured']);

/** What one request has learned so far along its route. */
class RouteRun {
  readonly errors: GatewayError[] = [];
  readonly sittingOut = new Map<string, Deployment>();
  attempts = 0;

  /** The error for a request no deployment could serve: the last real failure, else why all sat out. */
  exhausted(deps: RunnerDeps): GatewayError {
    const lastFailure = this.errors.filter((error) => !SKIP_CODES.has(error.code)).at(-1);
    if (lastFailure !== undefined) return lastFailure;
    if (this.sittingOut.size > 0) {
      const waits = [...this.sittingOut.values()].map((deployment) => Math.max(deps.health.coolingRemaining(deployment), deps.health.breakers.msUntilProbe(deployment.id)));
      const names = [...new Set([...this.sittingOut.values()].map((deployment) => deployment.id))].join(', ');
      return new GatewayError('providers_unavailable', `Every deployment for this request is sitting out (${names}): breakers open or cooling down after the provider asked.`, {
        retryAfterSeconds: Math.max(1, Math.ceil(Math.min(...waits) / 1000)),
      });
    }
    return this.errors[0] ?? new GatewayError('providers_unavailable', 'No provider can serve this request.');
  }
}

export async function runWithFallback<T>(steps: readonly RouteStep[], deps: RunnerDeps, context: RunContext, attempt: Attempt<T>): Promise<RunSuccess<T>> {
  deps.budget.recordRequest();
  const run = new RouteRun();
  for (const step of steps) {
    const success = await runStep(step, deps, context, attempt, run);
    if (success !== undefined) return success;
  }
  if (run.attempts === 0) {
    const probe = await probeEarliestOpened(deps, context, attempt, run);
    if (probe !== undefined) return probe;
  }
  throw run.exhausted(deps);
}

async function runStep<T>(step: RouteStep, deps: RunnerDeps, context: RunContext, attempt: Attempt<T>, run: RouteRun): Promise<RunSuccess<T> | undefined> {
  const tries = new StepTries();
  for (;;) {
    const candidates = usableDeployments(step, deps, run, tries);
    if (candidates.length === 0) return undefined;
    const deployment = deps.balancer.pick(step, candidates.length === 1 ? candidates : triedLeast(candidates, tries));
    const lastError = tries.lastErrorOf(deployment.id);
    if (lastError !== undefined && !(await waitBeforeRetry(deployment, lastError, tries.of(deployment.id), deps, context))) {
      tries.finish(deployment.id);
      continue;
    }
    const ticket = deps.health.admit(deployment);
    if (ticket === undefined) {
      run.sittingOut.set(deployment.id, deployment);
      tries.finish(deployment.id);
      continue;
    }
    const outcome = await attemptOnce(deployment, ticket, deps, context, attempt, run);
    if ('value' in outcome) return outcome;
    const error = outcome.error;
    tries.failed(deployment.id, error);
    if (!error.retryable && !error.fallback) throw error;
    if (!error.retryable || tries.of(deployment.id) >= deployment.entry.config.retry.maxAttempts) {
      tries.finish(deployment.id);
      deps.metrics?.countFallback(deployment.provider);
    }
  }
}

/** Deployments this request tried least come first: a failure moves on before it retries. */
function triedLeast(candidates: readonly Deployment[], tries: StepTries): Deployment[] {
  const fewest = Math.min(...candidates.map((candidate) => tries.of(candidate.id)));
  return candidates.filter((candidate) => tries.of(candidate.id) === fewest);
}

/**
 * Per step: how often this request tried each deployment, its last error, and which are done.
 * Most requests succeed at their first try, so the maps are made by the first failure or skip.
 */
class StepTries {
  private counts: Map<string, number> | undefined;
  private lastErrors: Map<string, GatewayError> | undefined;
  private finished: Set<string> | undefined;

  of(id: string): number {
    return this.counts?.get(id) ?? 0;
  }

  lastErrorOf(id: string): GatewayError | undefined {
    return this.lastErrors?.get(id);
  }

  failed(id: string, error: GatewayError): void {
    (this.counts ??= new Map()).set(id, this.of(id) + 1);
    (this.lastErrors ??= new Map()).set(id, error);
  }

  finish(id: string): void {
    (this.finished ??= new Set()).add(id);
  }

  isFinished(id: string): boolean {
    return this.finished?.has(id) === true;
  }
}

function usableDeployments(step: RouteStep, deps: RunnerDeps, run: RouteRun, tries: StepTries): Deployment[] {
  const usable: Deployment[] = [];
  for (const deployment of step.deployments) {
    if (tries.isFinished(deployment.id)) continue;
    const skipped = skipError(deps, deployment);
    if (skipped !== undefined) {
      run.errors.push(skipped);
      tries.finish(deployment.id);
      continue;
    }
    // A deployment this request's own 429 cooled stays a candidate: its retry waits out the cooldown.
    const cooledByThisRequest = tries.lastErrorOf(deployment.id)?.coolsDeployment === true;
    if (deps.health.availability(deployment) !== 'available' && !cooledByThisRequest) {
      run.sittingOut.set(deployment.id, deployment);
      tries.finish(deployment.id);
      continue;
    }
    usable.push(deployment);
  }
  return usable;
}

/** Waits out the backoff (or the cooldown the provider asked for) before trying the same deployment again. */
async function waitBeforeRetry(deployment: Deployment, lastError: GatewayError, retryNumber: number, deps: RunnerDeps, context: RunContext): Promise<boolean> {
  const backoff = retryDelayMs(lastError, retryNumber, deployment.entry.config.retry, deps.random);
  if (backoff === undefined) return false;
  const delay = Math.max(backoff, deps.health.coolingRemaining(deployment));
  if (deps.now() + delay >= context.deadlineAt || !deps.budget.tryRetry()) return false;
  deps.metrics?.countRetry(deployment.provider);
  try {
    await sleep(delay, undefined, { signal: context.signal });
  } catch {
    throw lastError;
  }
  return true;
}

async function attemptOnce<T>(
  deployment: Deployment,
  ticket: DeploymentTicket,
  deps: RunnerDeps,
  context: RunContext,
  attempt: Attempt<T>,
  run: RouteRun,
): Promise<RunSuccess<T> | { error: GatewayError }> {
  run.attempts++;
  const started = performance.now();
  const span = context.span?.child(`chat ${deployment.upstreamModel}`, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': deployment.entry.config.kind,
    'gen_ai.request.model': deployment.upstreamModel,
    'gateway.deployment': deployment.id,
  });
  // In flight for least-busy while it runs; timed for lowest-latency when it succeeds (a stream: to its first token).
  const endCall = deps.balancer.begin(deployment);
  try {
    const value = await attempt(deployment, context.signal, run.attempts, span?.traceparent());
    endCall();
    deps.balancer.observeLatency(deployment, performance.now() - started);
    addUpstreamTime(context, started);
    span?.end();
    deps.runtime.recordSuccess(deployment.provider);
    deps.metrics?.observeUpstream(deployment.provider, deployment.upstreamModel, 'success', (performance.now() - started) / 1000, true);
    deps.metrics?.countDeploymentRequest(deployment, 'success');
    return { value, deployment, attempts: run.attempts, ticket };
  } catch (caught) {
    endCall();
    addUpstreamTime(context, started);
    const error = settleFailure(deps, deployment, ticket, caught, context.signal);
    span?.end(error.code);
    deps.metrics?.observeUpstream(deployment.provider, deployment.upstreamModel, error.code, (performance.now() - started) / 1000, error.code !== 'model_not_found');
    deps.metrics?.countDeploymentRequest(deployment, error.code);
    if (context.signal.aborted) throw error;
    run.errors.push(error);
    deps.logger.debug({ requestId: context.requestId, deployment: deployment.id, attempt: run.attempts, code: error.code }, 'attempt failed');
    return { error };
  }
}

function addUpstreamTime(context: RunContext, started: number): void {
  if (context.report !== undefined) context.report.upstreamMs = (context.report.upstreamMs ?? 0) + (performance.now() - started);
}

/**
 * Every deployment was behind an open breaker: rather than fail everything until one is due, the
 * one that opened earliest takes this request as a probe (one probe at a time per deployment).
 */
async function probeEarliestOpened<T>(deps: RunnerDeps, context: RunContext, attempt: Attempt<T>, run: RouteRun): Promise<RunSuccess<T> | undefined> {
  const open = [...run.sittingOut.values()].filter((deployment) => deps.health.availability(deployment) === 'open');
  const earliest = open.sort((a, b) => (deps.health.breakers.openedAt(a.id) ?? Infinity) - (deps.health.breakers.openedAt(b.id) ?? Infinity))[0];
  if (earliest === undefined) return undefined;
  const ticket = deps.health.admit(earliest, true);
  if (ticket === undefined) return undefined;
  deps.logger.info({ requestId: context.requestId, deployment: earliest.id }, 'every deployment is open: probing the one that opened first');
  const outcome = await attemptOnce(earliest, ticket, deps, context, attempt, run);
  if ('value' in outcome) return outcome;
  throw outcome.error;
}
