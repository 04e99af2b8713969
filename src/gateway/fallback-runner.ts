/**
 * Runs one request across its targets: retries a target while its errors are retryable (with
 * backoff, within the retry budget and the request deadline), moves to the next target when the
 * catalog says another provider may succeed, and skips targets that are disabled or behind an open
 * breaker. Decisions come from the error catalog and breaker state, never from message text.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, toGatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { retryDelayMs } from '../resilience/backoff.js';
import type { BreakerTicket } from '../resilience/provider-breakers.js';
import type { RetryBudget } from '../resilience/retry-budget.js';
import type { Target } from './model-router.js';
import type { ProviderRuntime } from './provider-runtime.js';

export interface RunnerDeps {
  runtime: ProviderRuntime;
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
}

export interface RunSuccess<T> {
  value: T;
  target: Target;
  attempts: number;
  /** Still open: the caller settles it when the call really ends (a stream, later). */
  ticket: BreakerTicket;
}

/** A failure the caller reports for an attempt that already returned (a stream failing later). */
export function settleFailure(deps: RunnerDeps, target: Target, ticket: BreakerTicket, error: unknown, signal: AbortSignal): GatewayError {
  const gatewayError = toGatewayError(error);
  if (signal.aborted) {
    // The client left: nothing the provider did wrong.
    ticket.succeed();
  } else {
    ticket.fail(gatewayError);
    deps.runtime.recordFailure(target.entry.provider.id, gatewayError);
  }
  return gatewayError;
}

function skipError(deps: RunnerDeps, target: Target): GatewayError | undefined {
  const { provider } = target.entry;
  if (!provider.configuration.configured) {
    return new GatewayError('provider_not_configured', `Provider ${provider.id} is not configured: set ${provider.configuration.missingVariable}.`, {
      provider: provider.id,
    });
  }
  if (!deps.runtime.isEnabled(provider.id)) {
    return new GatewayError('provider_disabled', `Provider ${provider.id} is disabled by an operator.`, { provider: provider.id });
  }
  return undefined;
}

const SKIP_CODES = new Set(['provider_disabled', 'provider_not_configured']);

/** The error for a request no target could serve: the last real failure, else why all were skipped. */
function exhausted(deps: RunnerDeps, targets: readonly Target[], errors: GatewayError[], openBreakers: string[]): GatewayError {
  const lastFailure = errors.filter((error) => !SKIP_CODES.has(error.code)).at(-1);
  if (lastFailure !== undefined) return lastFailure;
  if (openBreakers.length > 0) {
    const waitMs = Math.min(...openBreakers.map((id) => deps.runtime.breakers.msUntilProbe(id)));
    const names = targets.map((target) => target.entry.provider.id).join(', ');
    return new GatewayError('providers_unavailable', `Every provider for this request is unavailable (${names}); circuit breakers are open.`, {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }
  return errors[0] ?? new GatewayError('providers_unavailable', 'No provider can serve this request.');
}

export async function runWithFallback<T>(
  targets: readonly Target[],
  deps: RunnerDeps,
  context: RunContext,
  attempt: (target: Target, signal: AbortSignal, attemptsSoFar: number) => Promise<T>,
): Promise<RunSuccess<T>> {
  deps.budget.recordRequest();
  const errors: GatewayError[] = [];
  const openBreakers: string[] = [];
  let attempts = 0;

  for (const target of targets) {
    const providerId = target.entry.provider.id;
    const skipped = skipError(deps, target);
    if (skipped !== undefined) {
      errors.push(skipped);
      continue;
    }
    const { retry } = target.entry.config;
    for (let attemptNumber = 1; ; attemptNumber++) {
      const ticket = deps.runtime.breakers.admit(providerId);
      if (ticket === undefined) {
        openBreakers.push(providerId);
        break;
      }
      attempts++;
      const started = performance.now();
      try {
        const value = await attempt(target, context.signal, attempts);
        deps.runtime.recordSuccess(providerId);
        deps.metrics?.observeUpstream(providerId, target.upstreamModel, 'success', (performance.now() - started) / 1000, true);
        return { value, target, attempts, ticket };
      } catch (error) {
        const gatewayError = settleFailure(deps, target, ticket, error, context.signal);
        deps.metrics?.observeUpstream(providerId, target.upstreamModel, gatewayError.code, (performance.now() - started) / 1000, gatewayError.code !== 'model_not_found');
        if (context.signal.aborted) throw gatewayError;
        errors.push(gatewayError);
        deps.logger.debug({ requestId: context.requestId, provider: providerId, attempt: attempts, code: gatewayError.code }, 'attempt failed');
        if (!gatewayError.retryable && !gatewayError.fallback) throw gatewayError;
        const moveOn = () => {
          if (target !== targets.at(-1)) deps.metrics?.countFallback(providerId);
        };
        if (!gatewayError.retryable || attemptNumber >= retry.maxAttempts) {
          moveOn();
          break;
        }
        const delay = retryDelayMs(gatewayError, attemptNumber, retry, deps.random);
        if (delay === undefined || deps.now() + delay >= context.deadlineAt || !deps.budget.tryRetry()) {
          moveOn();
          break;
        }
        deps.metrics?.countRetry(providerId);
        try {
          await sleep(delay, undefined, { signal: context.signal });
        } catch {
          throw gatewayError;
        }
      }
    }
  }
  throw exhausted(deps, targets, errors, openBreakers);
}
