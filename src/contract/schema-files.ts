/**
 * Where the hand-written contracts live at run time: `schema/` beside `src/` in a checkout, and
 * `dist/schema/` (copied by the build) beside `dist/src/` in the production image.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadYaml } from '../json/load-yaml.js';

export const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

export function readGraphqlSdl(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(path.join(SCHEMA_DIR, name), 'utf8'));
}

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

/** The build's JSON copy when there is one (dist/), the YAML source otherwise (a checkout). */
export function readOpenApiDocument(): OpenApiDocument {
  const json = path.join(SCHEMA_DIR, 'openapi.json');
  if (existsSync(json)) return JSON.parse(readFileSync(json, 'utf8')) as OpenApiDocument;
  return loadYaml().parse(readFileSync(path.join(SCHEMA_DIR, 'openapi.yaml'), 'utf8')) as OpenApiDocument;
}
