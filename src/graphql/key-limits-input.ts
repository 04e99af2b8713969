/** KeyLimitsInput -> key limits, checked by the same OpenAPI rules as the admin REST API. */
import type { KeyLimits } from '../vocabulary/principal.js';
import type { KeyLimitsInput } from '../generated/graphql.js';
import { fromWireLimits } from '../contract/key-limits.js';
import type { RequestValidator } from '../contract/request-validator.js';

export function toKeyLimits(input: KeyLimitsInput | null | undefined, validator: RequestValidator): KeyLimits {
  const wire = JSON.parse(
    JSON.stringify({
      requests_per_minute: input?.requestsPerMinute ?? undefined,
      tokens_per_minute: input?.tokensPerMinute ?? undefined,
      allowed_models: input?.allowedModels ?? undefined,
      budget_usd: input?.budgetUsd ?? undefined,
    }),
  ) as Record<string, unknown>;
  validator.validateBody('updateApiKey', { limits: wire }, (param) => param.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase()));
  return fromWireLimits(wire);
}
