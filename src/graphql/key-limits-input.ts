/** KeyLimitsInput -> key limits, checked by the same OpenAPI rules as the admin REST API. */
import type { KeyLimits } from '../auth/api-key-types.js';
import { GatewayError } from '../errors.js';
import type { KeyLimitsInput } from '../generated/graphql.js';
import { fromWireLimits } from '../rest/admin-routes.js';
import type { RequestValidator } from '../rest/request-validator.js';

export function toKeyLimits(input: KeyLimitsInput | null | undefined, validator: RequestValidator): KeyLimits {
  const wire = JSON.parse(
    JSON.stringify({
      requests_per_minute: input?.requestsPerMinute ?? undefined,
      tokens_per_minute: input?.tokensPerMinute ?? undefined,
      allowed_models: input?.allowedModels ?? undefined,
      budget_usd: input?.budgetUsd ?? undefined,
    }),
  ) as Record<string, unknown>;
  try {
    validator.validateBody('updateApiKey', { limits: wire });
  } catch (error) {
    if (error instanceof GatewayError && error.param !== null) {
      const field = error.param.replace(/^limits\./, '').replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());
      throw new GatewayError('invalid_request', error.message.split(`'${error.param}'`).join(`'limits.${field}'`), { param: `limits.${field}` });
    }
    throw error;
  }
  return fromWireLimits(wire);
}
