/** Admin REST routes: client API key management. Each needs the admin key. */
import type { components } from '../generated/openapi.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { fromWireLimits, toWireApiKey } from '../contract/key-limits.js';
import type { RestRoute } from './rest-route.js';

type Schemas = components['schemas'];

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
