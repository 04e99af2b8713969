/**
 * The served documentation: an interactive REST reference at /docs (Redoc, from npm, no CDN), the
 * raw OpenAPI spec as YAML and JSON, the GraphQL SDL, and at / a map of where everything is. All
 * public, all read-only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { OpenApiDocument } from '../contract/schema-files.js';
import { loadYaml } from '../json/load-yaml.js';

/** dist/assets in the image (copied by the build); the npm package in a checkout. */
function redocBundlePath(): string | undefined {
  const built = fileURLToPath(new URL('../../assets/redoc.standalone.js', import.meta.url));
  if (existsSync(built)) return built;
  try {
    return createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
  } catch {
    return undefined;
  }
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>LLM Gateway – REST API reference</title>
    <style>body { margin: 0; }</style>
  </head>
  <body>
    <redoc spec-url="/openapi.json" hide-download-button="false"></redoc>
    <script src="/docs/redoc.standalone.js"></script>
  </body>
</html>
`;

/** A value computed on its first request and kept: the served documents are not needed until someone asks. */
function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= compute());
}

export function docsRouter(document: OpenApiDocument, schema: () => Promise<GraphQLSchema>): Router {
  const router = express.Router();
  // Rendered on first request: YAML, the SDL and the 1 MB Redoc bundle are dead weight on a replica nobody reads docs from.
  const json = once(async () => JSON.stringify(document));
  const yaml = once(async () => loadYaml().stringify(document));
  const sdl = once(async () => (await import('graphql')).printSchema(await schema()));
  const script = once(async () => {
    const bundle = redocBundlePath();
    return bundle === undefined ? undefined : readFileSync(bundle, 'utf8');
  });

  // Someone who opens the bare address finds the way in instead of a 404.
  router.get('/', (_req, res) =>
    void res.json({
      name: 'llm-gateway',
      docs: '/docs',
      openapi: '/openapi.yaml',
      rest: '/v1',
      graphql: '/graphql',
      graphqlSchema: '/graphql/schema.graphql',
      health: { liveness: '/health/live', readiness: '/health/ready' },
    }),
  );
  router.get('/openapi.json', async (_req, res) => void res.type('application/json').send(await json()));
  router.get('/openapi.yaml', async (_req, res) => void res.type('application/yaml').send(await yaml()));
  router.get('/graphql/schema.graphql', async (_req, res) => void res.type('text/plain').send(await sdl()));
  router.get('/docs', (_req, res) => {
    // Redoc needs inline styles and a worker from a blob URL; everything else stays same-origin.
    res.set('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; worker-src 'self' blob:; img-src 'self' data:; font-src 'self' data:");
    res.type('html').send(PAGE);
  });
  router.get('/docs/redoc.standalone.js', async (_req, res) => {
    const bundle = await script();
    if (bundle === undefined) {
      res.status(404).type('text/plain').send('The Redoc bundle was not built into this image.');
      return;
    }
    res.type('application/javascript').set('Cache-Control', 'public, max-age=86400').send(bundle);
  });
  return router;
}
