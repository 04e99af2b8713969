/** Admin REST routes: client API key management. Each needs the admin key. */
import type { KeyLimits } from '../auth/api-key-types.js';
import type { ApiKeyRecord } from '../auth/api-key-types.js';
import type { components } from '../generated/openapi.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import type { RestRoute } from './routes.js';

type Schemas = components['schemas'];

export function fromWireLimits(limits: Schemas['KeyLimits'] | undefined): KeyLimits {
  const result: KeyLimits = {};
  if (limits?.requests_per_minute !== undefined) result.requestsPerMinute = limits.requests_per_minute;
  if (limits?.tokens_per_minute !== undefined) result.tokensPerMinute = limits.tokens_per_minute;
  if (limits?.allowed_models !== undefined) result.allowedModels = limits.allowed_models;
  if (limits?.budget_usd !== undefined) result.budgetUsd = limits.budget_usd;
  return result;
}

function toWireLimits(limits: KeyLimits): Schemas['KeyLimits'] {
  const result: Schemas['KeyLimits'] = {};
  if (limits.requestsPerMinute !== undefined) result.requests_per_minute = limits.requestsPerMinute;
  if (limits.tokensPerMinute !== undefined) result.tokens_per_minute = limits.tokensPerMinute;
  if (limits.allowedModels !== undefined) result.allowed_models = limits.allowedModels;
  if (limits.budgetUsd !== undefined) result.budget_usd = limits.budgetUsd;
  return result;
}

export function toWireApiKey(record: ApiKeyRecord): Schemas['ApiKey'] {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
    source: record.source,
    limits: toWireLimits(record.limits),
  };
}

export function adminRoutes(gateway: GatewayService): RestRoute[] {
  return [
    {
      method: 'get',
      path: '/v1/admin/keys',
      operationId: 'listApiKeys',
      access: 'admin',
      handler: async (_req, res) => {
        const body: Schemas['ApiKeyList'] = { object: 'list', data: (await gateway.listApiKeys()).map(toWireApiKey) };
        res.json(body);
      },
    },
    {
      method: 'post',
      path: '/v1/admin/keys',
      operationId: 'createApiKey',
      access: 'admin',
      handler: async (req, res) => {
        const request = req.body as Schemas['CreateApiKeyRequest'];
        const { record, key } = await gateway.createApiKey(request.name, fromWireLimits(request.limits));
        const body: Schemas['CreatedApiKey'] = { ...toWireApiKey(record), key };
        res.status(201).json(body);
      },
    },
    {
      method: 'patch',
      path: '/v1/admin/keys/{keyId}',
      operationId: 'updateApiKey',
      access: 'admin',
      handler: async (req, res) => {
        const request = req.body as Schemas['UpdateApiKeyRequest'];
        res.json(toWireApiKey(await gateway.updateApiKey(String(req.params.keyId), fromWireLimits(request.limits))));
      },
    },
    {
      method: 'delete',
      path: '/v1/admin/keys/{keyId}',
      operationId: 'revokeApiKey',
      access: 'admin',
      handler: async (req, res) => {
        res.json(toWireApiKey(await gateway.revokeApiKey(String(req.params.keyId))));
      },
    },
  ];
}
