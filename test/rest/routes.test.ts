import { expect } from 'chai';
import pino from 'pino';
import { readFileSync } from 'node:fs';
import { GatewayService } from '../../src/gateway/gateway-service.js';
import { loadConfig } from '../../src/config.js';
import { createConfiguredProviders } from '../../src/providers/registry.js';
import { createRequestValidator } from '../../src/rest/request-validator.js';
import { restRoutes } from '../../src/rest/routes.js';
import { readOpenApiDocument } from '../../src/schema-files.js';
import { GATEWAY_VERSION } from '../../src/version.js';

describe('REST routes and the OpenAPI spec', () => {
  const document = readOpenApiDocument();
  const config = loadConfig({});
  const logger = pino({ level: 'silent' });
  const routes = restRoutes({
    gateway: new GatewayService({
      registry: createConfiguredProviders(config),
      routing: config.routing,
      logger,
      version: GATEWAY_VERSION,
      requestTimeoutMs: config.requestTimeoutMs,
      retryBudget: config.retryBudget,
    }),
    validator: createRequestValidator(document),
    logger,
    maxBodyBytes: 1024,
    sseHeartbeatMs: 1000,
    isShuttingDown: () => false,
  });

  it('registers exactly the operations the spec describes, at the spec path and method', () => {
    const specOperations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => `${method.toUpperCase()} ${path} ${(operation as { operationId: string }).operationId}`),
    );
    const registered = routes.map((route) => `${route.method.toUpperCase()} ${route.path} ${route.operationId}`);
    expect(registered.sort()).to.deep.equal(specOperations.sort());
  });

  it('has a body schema for every operation that takes a body', () => {
    const validator = createRequestValidator(document);
    for (const route of routes.filter((r) => validator.hasBody(r.operationId))) {
      expect(() => validator.validateBody(route.operationId, {}), route.operationId).to.throw(/Missing required parameter/);
    }
  });

  it('reports the version package.json declares', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(GATEWAY_VERSION).to.equal(pkg.version);
  });
});
