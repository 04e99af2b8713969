import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createApp, type GatewayApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createRequestValidator } from '../../src/contract/request-validator.js';
import type { RestRoute } from '../../src/rest/rest-route.js';
import { restRoutes, TERMINUS_OPERATIONS } from '../../src/rest/routes.js';
import { readOpenApiDocument } from '../../src/contract/schema-files.js';
import { OpenStreams } from '../../src/lifecycle/open-streams.js';
import { GATEWAY_VERSION } from '../../src/version.js';
import { MemoryCacheStore } from '../../src/cache/cache-store.js';
import { StoredResponses } from '../../src/cache/stored-responses.js';

describe('REST routes and the OpenAPI spec', () => {
  const document = readOpenApiDocument();
  let app: GatewayApp;
  let routes: RestRoute[];

  before(async () => {
    app = await createApp(loadConfig({ NODE_ENV: 'test' }));
    routes = restRoutes({
      gateway: app.gateway,
      validator: createRequestValidator(document),
      logger: app.logger,
      maxBodyBytes: 1024,
      sseHeartbeatMs: 1000,
      streams: new OpenStreams(app.lifecycle, app.metrics),
      responses: new StoredResponses(new MemoryCacheStore(10), undefined, 60),
      metrics: app.metrics,
    });
  });
  after(() => app.close());

  it('registers exactly the operations the spec describes, at the spec path and method', () => {
    const specOperations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => `${method.toUpperCase()} ${path} ${(operation as { operationId: string }).operationId}`),
    );
    const registered = routes.map((route) => `${route.method.toUpperCase()} ${route.path} ${route.operationId}`);
    expect(registered.sort()).to.deep.equal(specOperations.filter((operation) => !TERMINUS_OPERATIONS.some((id) => operation.endsWith(` ${id}`))).sort());
  });

  it('has a body schema for every operation that takes a body', () => {
    const validator = createRequestValidator(document);
    for (const route of routes.filter((r) => validator.hasBody(r.operationId))) {
      expect(() => validator.validateBody(route.operationId, {}), route.operationId).to.throw(/Missing required parameter/);
    }
  });

  it("compiles every operation's body validator (they compile on first use at run time)", () => {
    expect(() => createRequestValidator(document).compileAll()).not.to.throw();
    const broken = structuredClone(document) as unknown as { paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: unknown }> } } }> };
    const chat = broken.paths['/v1/chat/completions']?.post?.requestBody?.content['application/json'];
    if (chat === undefined) throw new Error('the spec has no chat request body');
    chat.schema = { $ref: '#/components/schemas/NoSuchSchema' };
    expect(() => createRequestValidator(broken as unknown as typeof document).compileAll()).to.throw();
  });

  it('reports the version package.json declares', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(GATEWAY_VERSION).to.equal(pkg.version);
  });
});
