/**
 * A gateway with several providers, each a fake upstream of its own, declared through a real
 * providers file, the way an operator would.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { startGateway, type RunningGateway } from './start-gateway.js';

export interface MultiProviderSetup {
  gateway: RunningGateway;
  upstreams: Record<string, FakeUpstream>;
  /** Every log line the gateway wrote. */
  logs: string[];
  close(): Promise<void>;
}

export const PROVIDER_KEYS: Record<string, string> = {
  openrouter: 'sk-or-canary-0penr0uter-1111',
  deepseek: 'sk-ds-canary-deeps33k-2222',
  local: 'sk-local-canary-l0cal-3333',
};

export async function startMultiProviderGateway(providersYaml: (urls: Record<string, string>) => string, env: Record<string, string> = {}): Promise<MultiProviderSetup> {
  const upstreams: Record<string, FakeUpstream> = {
    openrouter: await startFakeUpstream(),
    deepseek: await startFakeUpstream(),
    local: await startFakeUpstream(),
  };
  const urls = Object.fromEntries(Object.entries(upstreams).map(([id, upstream]) => [id, upstream.url]));
  const dir = mkdtempSync(path.join(tmpdir(), 'gateway-providers-'));
  const file = path.join(dir, 'providers.yaml');
  writeFileSync(file, providersYaml(urls));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const gateway = await startGateway(
    {
      PROVIDERS_FILE: file,
      OPENROUTER_API_KEY: PROVIDER_KEYS.openrouter,
      OPENROUTER_BASE_URL: urls.openrouter,
      DEEPSEEK_API_KEY: PROVIDER_KEYS.deepseek,
      DEEPSEEK_BASE_URL: urls.deepseek,
      LOCAL_API_KEY: PROVIDER_KEYS.local,
      RETRY_BASE_DELAY_MS: '10',
      RETRY_MAX_DELAY_MS: '50',
      ...env,
    },
    { logger: createLogger('debug', sink) },
  );
  return {
    gateway,
    upstreams,
    logs,
    close: async () => {
      await gateway.close();
      await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
    },
  };
}

/** The providers file most resilience tests use: three providers and one chain across them. */
export const THREE_PROVIDER_CHAIN = (urls: Record<string, string>) => `
providers:
  - id: local
    kind: openai-compatible
    baseUrl: ${urls.local}
    apiKeyEnv: LOCAL_API_KEY
    models: [llama-3.1-8b]
aliases:
  fast: llama-3.1-8b
fallbacks:
  deepseek-chat:
    - deepseek/deepseek-chat
    - openrouter/deepseek/deepseek-chat
    - local/llama-3.1-8b
`;

export { postChat as postCompletion } from './http.js';
