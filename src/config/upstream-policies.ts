/** Timeouts, retries and breakers for upstream calls, and the built-in providers that use them by default. */
import { readBaseUrl, readInteger, readString, type Env } from './env-readers.js';
import { keysFromVariable } from './provider-keys.js';
import type { BreakerPolicy, CooldownConfig, ProviderConfig, RetryPolicy, UpstreamTimeouts } from './types.js';

const SECOND = 1000;

export function readTimeouts(env: Env): UpstreamTimeouts {
  return {
    connectMs: readInteger(env, 'UPSTREAM_CONNECT_TIMEOUT_MS', 10 * SECOND, 50, 600 * SECOND),
    firstByteMs: readInteger(env, 'UPSTREAM_FIRST_BYTE_TIMEOUT_MS', 60 * SECOND, 100, 3600 * SECOND),
    idleMs: readInteger(env, 'UPSTREAM_IDLE_TIMEOUT_MS', 120 * SECOND, 100, 3600 * SECOND),
    totalMs: readInteger(env, 'UPSTREAM_TOTAL_TIMEOUT_MS', 600 * SECOND, 100, 24 * 3600 * SECOND),
  };
}

export function readRetry(env: Env): RetryPolicy {
  return {
    maxAttempts: readInteger(env, 'RETRY_MAX_ATTEMPTS', 2, 1, 10),
    baseDelayMs: readInteger(env, 'RETRY_BASE_DELAY_MS', 250, 0, 60 * SECOND),
    maxDelayMs: readInteger(env, 'RETRY_MAX_DELAY_MS', 4 * SECOND, 0, 300 * SECOND),
    maxRetryAfterMs: readInteger(env, 'RETRY_MAX_RETRY_AFTER_MS', 10 * SECOND, 0, 600 * SECOND),
  };
}

export function readBreaker(env: Env): BreakerPolicy {
  return {
    errorThresholdPercentage: readInteger(env, 'BREAKER_ERROR_THRESHOLD_PERCENT', 50, 1, 100),
    volumeThreshold: readInteger(env, 'BREAKER_VOLUME_THRESHOLD', 10, 1, 10_000),
    consecutiveFailures: readInteger(env, 'BREAKER_CONSECUTIVE_FAILURES', 5, 1, 10_000),
    resetTimeoutMs: readInteger(env, 'BREAKER_RESET_TIMEOUT_MS', 10 * SECOND, 100, 3600 * SECOND),
    maxResetTimeoutMs: readInteger(env, 'BREAKER_MAX_RESET_TIMEOUT_MS', 300 * SECOND, 100, 24 * 3600 * SECOND),
    rollingWindowMs: readInteger(env, 'BREAKER_ROLLING_WINDOW_MS', 10 * SECOND, 100, 3600 * SECOND),
  };
}

export function builtInProviders(env: Env, timeouts: UpstreamTimeouts, retry: RetryPolicy, breaker: BreakerPolicy): ProviderConfig[] {
  const attribution: Record<string, string> = {};
  const referer = readString(env, 'OPENROUTER_HTTP_REFERER');
  const title = readString(env, 'OPENROUTER_APP_TITLE');
  if (referer !== undefined) attribution['HTTP-Referer'] = referer;
  if (title !== undefined) attribution['X-Title'] = title;
  const shared = { enabled: true, timeouts, retry, breaker, imageUrls: undefined };
  return [
    {
      ...shared,
      id: 'openrouter',
      kind: 'openrouter',
      baseUrl: readBaseUrl(env, 'OPENROUTER_BASE_URL', 'https://openrouter.ai/api/v1'),
      ...keysFromVariable(env, 'OPENROUTER_API_KEY'),
      headers: attribution,
      models: undefined,
      pricing: undefined,
    },
    {
      ...shared,
      id: 'deepseek',
      kind: 'deepseek',
      baseUrl: readBaseUrl(env, 'DEEPSEEK_BASE_URL', 'https://api.deepseek.com'),
      // DeepSeek serves Anthropic's Messages API under /anthropic: /v1/messages passes through to it.
      anthropicBaseUrl: readBaseUrl(env, 'DEEPSEEK_ANTHROPIC_BASE_URL', `${readBaseUrl(env, 'DEEPSEEK_BASE_URL', 'https://api.deepseek.com').replace(/\/+$/, '')}/anthropic`),
      ...keysFromVariable(env, 'DEEPSEEK_API_KEY'),
      headers: {},
      models: ['deepseek-chat', 'deepseek-reasoner'],
      pricing: undefined,
    },
  ];
}

/** `host:port,host:port`. */

export function readCooldowns(env: Env): CooldownConfig {
  return {
    rateLimitedMs: readInteger(env, 'COOLDOWN_RATE_LIMITED_MS', 1_500, 0, 600 * SECOND),
    keyRejectedMs: readInteger(env, 'COOLDOWN_KEY_REJECTED_MS', 60 * SECOND, 0, 24 * 3600 * SECOND),
    maxDeployments: readInteger(env, 'MAX_TRACKED_DEPLOYMENTS', 1_000, 10, 1_000_000),
    idleMs: readInteger(env, 'DEPLOYMENT_IDLE_MS', 600 * SECOND, SECOND, 7 * 24 * 3600 * SECOND),
  };
}
