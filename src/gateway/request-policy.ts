/**
 * Checks a request against the gateway's input limits and the caller's key before anything is
 * spent: message count and size, the max_tokens ceiling, allowed models and the spend budget.
 */
import type { KeyLimits, Principal } from '../vocabulary/principal.js';
import type { SpendReservation, SpendTracker } from '../auth/spend-tracker.js';
import type { SecurityConfig } from '../config/security.js';
import type { ImageUrlPolicy } from '../config/types.js';
import { GatewayError } from '../errors.js';
import type { ContentPart, PassThrough } from '../vocabulary/chat-request.js';
import type { ChatCompletionCommand } from '../vocabulary/chat-results.js';
import type { RouteStep } from './deployments.js';

export type InputLimits = Pick<SecurityConfig, 'maxMessages' | 'maxMessageChars' | 'maxTokensLimit'>;

export function checkInputLimits(command: ChatCompletionCommand, limits: InputLimits): void {
  if (command.messages.length > limits.maxMessages) {
    throw new GatewayError('invalid_request', `Too many messages: at most ${limits.maxMessages}.`, { param: 'messages' });
  }
  for (const [index, message] of command.messages.entries()) {
    const content = message.content;
    const length = typeof content === 'string' ? content.length : (content ?? []).reduce((sum, part) => sum + partLength(part), 0);
    if (length > limits.maxMessageChars) {
      throw new GatewayError('invalid_request', `Message too long: at most ${limits.maxMessageChars} characters.`, { param: `messages[${index}].content` });
    }
  }
  for (const param of ['max_tokens', 'max_completion_tokens'] as const) {
    const value = param === 'max_tokens' ? command.maxTokens : command.providerOptions?.max_completion_tokens;
    if (limits.maxTokensLimit > 0 && typeof value === 'number' && value > limits.maxTokensLimit) {
      throw new GatewayError('invalid_request', `${param} may be at most ${limits.maxTokensLimit}.`, { param });
    }
  }
}

/** Characters a part adds to a message, for the size limit: text, an image URL (data: URLs are large), anything else as sent. */
function partLength(part: ContentPart): number {
  if (part.type === 'text') return part.text.length;
  if (part.type === 'image_url') return part.imageUrl.url.length;
  return JSON.stringify(part.part).length;
}

function allows(patterns: readonly string[], target: string): boolean {
  return patterns.some((pattern) => (pattern.endsWith('/*') ? target.startsWith(pattern.slice(0, -1)) : pattern === target));
}

/** Models a request names besides `model`: OpenRouter's fallback list `models`, tried by the provider itself. */
function routedModels(providerOptions: PassThrough | undefined): string[] {
  const models = providerOptions?.models;
  return Array.isArray(models) ? models.filter((model): model is string => typeof model === 'string') : [];
}

/**
 * The deployments the key may use, step by step: every model the request can reach on a deployment
 * (`model`, and each of `models`) must be allowed there; `model_not_allowed` when none is left.
 */
export function allowedSteps(steps: readonly RouteStep[], limits: KeyLimits | undefined, providerOptions: PassThrough | undefined): readonly RouteStep[] {
  const patterns = limits?.allowedModels;
  if (patterns === undefined || patterns.length === 0) return steps;
  const extra = routedModels(providerOptions);
  const reachable = (provider: string, model: string) => allows(patterns, `${provider}/${model}`) && extra.every((other) => allows(patterns, `${provider}/${other}`));
  const allowed = steps
    .map((step) => ({ ...step, deployments: step.deployments.filter((deployment) => reachable(deployment.provider, deployment.upstreamModel)) }))
    .filter((step) => step.deployments.length > 0);
  if (allowed.length === 0) {
    if (extra.length > 0 && steps.some((step) => step.deployments.some((deployment) => allows(patterns, `${deployment.provider}/${deployment.upstreamModel}`)))) {
      throw new GatewayError('model_not_allowed', `This API key may not use every model in 'models'. Allowed: ${patterns.join(', ')}.`, { param: 'models' });
    }
    throw new GatewayError('model_not_allowed', `This API key may not use that model. Allowed: ${patterns.join(', ')}.`, { param: 'model' });
  }
  return allowed;
}

/**
 * Reserves the request's estimated cost against the key's budget; `budget_exceeded` when its spend
 * plus what its other requests in flight hold has reached the budget. No budget, no reservation.
 */
export function reserveBudget(principal: Principal | undefined, spend: SpendTracker, estimateUsd: () => number, holdMs: number): Promise<SpendReservation> | undefined {
  // Undefined rather than a promise of nothing: most requests have no budget and need not wait a turn.
  if (principal?.kind !== 'client' || principal.limits.budgetUsd === undefined) return undefined;
  const budgetUsd = principal.limits.budgetUsd;
  return spend.reserve(principal.keyId, budgetUsd, estimateUsd(), holdMs).then((reservation) => {
    if (reservation === undefined) throw new GatewayError('budget_exceeded', `This API key has spent its budget of $${budgetUsd}.`);
    return reservation;
  });
}

/** A URL an `image_url` part may carry to this provider, under its policy. */
function imageUrlAllowed(url: string, policy: ImageUrlPolicy): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (!policy.schemes.includes(scheme)) return false;
  if (scheme === 'data' || policy.hosts === undefined) return true;
  return policy.hosts.some((host) => (host.startsWith('*.') ? parsed.hostname.endsWith(host.slice(1)) : parsed.hostname === host));
}

/**
 * The deployments whose provider may be sent every image URL of the request (self-hosted servers
 * fetch URLs from inside the operator's network); `invalid_request` naming the part when none is left.
 */
export function imageSafeSteps(steps: readonly RouteStep[], command: ChatCompletionCommand): readonly RouteStep[] {
  const urls: { url: string; param: string }[] = [];
  for (const [messageIndex, message] of command.messages.entries()) {
    if (!Array.isArray(message.content)) continue;
    for (const [partIndex, part] of message.content.entries()) {
      if (part.type === 'image_url') urls.push({ url: part.imageUrl.url, param: `messages[${messageIndex}].content[${partIndex}].image_url.url` });
    }
  }
  if (urls.length === 0) return steps;
  const safe = steps
    .map((step) => ({ ...step, deployments: step.deployments.filter(({ entry }) => entry.config.imageUrls === undefined || urls.every(({ url }) => imageUrlAllowed(url, entry.config.imageUrls!))) }))
    .filter((step) => step.deployments.length > 0);
  if (safe.length > 0) return safe;
  const policy = steps.flatMap((step) => step.deployments).find(({ entry }) => entry.config.imageUrls !== undefined)?.entry.config.imageUrls;
  const refused = urls.find(({ url }) => policy === undefined || !imageUrlAllowed(url, policy)) ?? urls[0]!;
  throw new GatewayError('invalid_request', `This image URL may not be sent to the provider that serves the model: it takes ${policy?.schemes.join(', ') ?? 'other'} URLs${policy?.hosts === undefined ? '' : ` from ${policy.hosts.join(', ')}`}.`, { param: refused.param });
}

/** Whose cache entries and learnt costs a request shares: its key's, or one tenant with auth off. */
export function tenantOf(principal: Principal | undefined): string {
  return principal?.kind === 'client' ? principal.keyId : 'default';
}
