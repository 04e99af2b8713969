// The built service reads schema/ at run time (SDL and OpenAPI) and serves the Redoc bundle for
// /docs, so both ship inside dist/. Redoc is a dev dependency: only its one browser file is needed.
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

cpSync('schema', 'dist/schema', { recursive: true });
mkdirSync('dist/assets', { recursive: true });
cpSync(createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js'), 'dist/assets/redoc.standalone.js');
