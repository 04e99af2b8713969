// The built service reads schema/ at run time (SDL and OpenAPI) and serves the Redoc bundle for
// /docs, so both ship inside dist/. Redoc is a dev dependency: only its one browser file is needed.
// The OpenAPI document also ships as JSON, so the service reads it without loading a YAML parser.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

cpSync('schema', 'dist/schema', { recursive: true });
writeFileSync('dist/schema/openapi.json', JSON.stringify(parse(readFileSync('schema/openapi.yaml', 'utf8'))));
mkdirSync('dist/assets', { recursive: true });
cpSync(createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js'), 'dist/assets/redoc.standalone.js');
