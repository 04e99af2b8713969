// The built service reads schema/ at run time (SDL and OpenAPI), so it ships inside dist/.
import { cpSync } from 'node:fs';

cpSync('schema', 'dist/schema', { recursive: true });
