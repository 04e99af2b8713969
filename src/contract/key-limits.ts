/** Key limits and key records between the gateway's terms and the wire's (REST bodies; GraphQL input after renaming). */
import type { ApiKeyView } from '../gateway/catalog-types.js';
import type { components } from '../generated/openapi.js';
import type { KeyLimits } from '../vocabulary/principal.js';

type Schemas = components['schemas'];

export function fromWireLimits(limits: Schemas['KeyLimits'] | undefined): KeyLimits {
  const result: KeyLimits = {};
  if (limits?.requests_per_minute !== undefined) result.requestsPerMinute = limits.requests_per_minute;
  if (limits?.tokens_per_minute !== undefined) result.tokensPerMinute = limits.tokens_per_minute;
  if (limits?.allowed_models !== undefined) result.allowedModels = limits.allowed_models;
  if (limits?.budget_usd !== undefined) result.budgetUsd = limits.budget_usd;
  return result;
}

export function toWireLimits(limits: KeyLimits): Schemas['KeyLimits'] {
  const result: Schemas['KeyLimits'] = {};
  if (limits.requestsPerMinute !== undefined) result.requests_per_minute = limits.requestsPerMinute;
  if (limits.tokensPerMinute !== undefined) result.tokens_per_minute = limits.tokensPerMinute;
  if (limits.allowedModels !== undefined) result.allowed_models = limits.allowedModels;
  if (limits.budgetUsd !== undefined) result.budget_usd = limits.budgetUsd;
  return result;
}

export function toWireApiKey(record: ApiKeyView): Schemas['ApiKey'] {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
    source: record.source,
    limits: toWireLimits(record.limits),
    budget_note: record.budgetNote,
  };
}

