/**
 * The YAML parser, loaded on first use: only a providers file or a checkout's OpenAPI source needs
 * it, so a replica without either never holds it in memory (bench/README.md, "Idle memory").
 * Synchronous, because configuration is read synchronously at start-up.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

let yaml: Yaml | undefined;

export function loadYaml(): Yaml {
  yaml ??= createRequire(import.meta.url)('yaml') as Yaml;
  return yaml;
}
