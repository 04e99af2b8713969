import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config/load-config.js';

function providersFile(content: string, name = 'providers.yaml'): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'providers-file-')), name);
  writeFileSync(file, content);
  return file;
}

describe('the providers file (PROVIDERS_FILE)', () => {
  it('adds OpenAI-compatible providers by configuration alone and overrides built-in ones', () => {
    const file = providersFile(`
defaultProvider: ollama
defaultModel: llama3.1
providers:
  - id: ollama
    kind: openai-compatible
    baseUrl: http://127.0.0.1:11434/v1/
    models: [llama3.1, qwen2.5]
    timeouts: { firstByteMs: 120000 }
    retry: { maxAttempts: 3 }
  - id: groq
    kind: openai-compatible
    baseUrl: https://api.groq.com/openai/v1
    apiKeyEnv: GROQ_API_KEY
    headers: { X-Team: research }
  - id: openrouter
    breaker: { volumeThreshold: 20 }
aliases:
  local: ollama/llama3.1
fallbacks:
  local-first: [ollama/llama3.1, openrouter/meta-llama/llama-3.1-8b-instruct]
`);
    const config = loadConfig({ PROVIDERS_FILE: file, GROQ_API_KEY: 'gsk-test', UPSTREAM_IDLE_TIMEOUT_MS: '5000' });
    const ollama = config.providers.find((provider) => provider.id === 'ollama')!;
    expect(ollama).to.deep.include({ kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: undefined, apiKeyVariable: undefined });
    expect(ollama.timeouts).to.deep.include({ firstByteMs: 120000, idleMs: 5000 });
    expect(ollama.retry.maxAttempts).to.equal(3);
    const groq = config.providers.find((provider) => provider.id === 'groq')!;
    expect(groq).to.deep.include({ apiKey: 'gsk-test', apiKeyVariable: 'GROQ_API_KEY' });
    expect(groq.headers).to.deep.equal({ 'X-Team': 'research' });
    const openrouter = config.providers.find((provider) => provider.id === 'openrouter')!;
    expect(openrouter.breaker.volumeThreshold).to.equal(20);
    expect(openrouter.baseUrl).to.equal('https://openrouter.ai/api/v1');
    expect(config.routing).to.deep.equal({
      defaultProvider: 'ollama',
      defaultModel: 'llama3.1',
      aliases: { local: 'ollama/llama3.1' },
      fallbacks: { 'local-first': ['ollama/llama3.1', 'openrouter/meta-llama/llama-3.1-8b-instruct'] },
      groups: {},
    });
  });

  it('reads JSON as well', () => {
    const file = providersFile(JSON.stringify({ providers: [{ id: 'vllm', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1' }] }), 'providers.json');
    expect(loadConfig({ PROVIDERS_FILE: file }).providers.map((provider) => provider.id)).to.deep.equal(['openrouter', 'deepseek', 'vllm']);
  });

  const bad: [string, RegExp][] = [
    ['providers: [{ id: x, kind: openai-compatible }]', /providers\[0\] \(x\) needs a baseUrl/],
    ['providers: [{ id: x, baseUrl: "http://127.0.0.1:1" }]', /needs a kind/],
    ['providers: [{ id: x, kind: martian, baseUrl: "http://127.0.0.1:1" }]', /\/providers\/0\/kind must be equal to one of the allowed values/],
    ['providers: [{ id: x, kind: openai-compatible, baseUrl: "ftp://h" }]', /baseUrl must use http or https/],
    ['providers: [{ id: x, kind: openai-compatible, baseUrl: "http://127.0.0.1:1", apiBase: "y" }]', /unknown field "apiBase"/],
    ['providers: [{ id: x, kind: openai-compatible, baseUrl: "http://127.0.0.1:1", headers: { A: "b\\r\\nC: d" } }]', /headers\/A must match pattern/],
    ['fallbacks: { a: [nowhere/model] }', /fallbacks.a target "nowhere\/model" must start with a configured provider id/],
    ['fallbacks: { a: [deepseek/deepseek-coder-v9] }', /provider deepseek does not list model "deepseek-coder-v9"/],
    ['providers: [{ id: a, kind: openai-compatible, baseUrl: "http://127.0.0.1:1" }, { id: a, kind: openai-compatible, baseUrl: "http://127.0.0.1:2" }]', /repeats the id "a"/],
    ['defaultProvider: nobody', /DEFAULT_PROVIDER names no configured provider/],
    ['{ not yaml', /is not valid YAML or JSON/],
  ];
  for (const [content, message] of bad) {
    it(`stops on ${content.slice(0, 60)}`, () => {
      expect(() => loadConfig({ PROVIDERS_FILE: providersFile(content) })).to.throw(ConfigError, message);
    });
  }

  it('names the file when it cannot be read', () => {
    expect(() => loadConfig({ PROVIDERS_FILE: '/nonexistent/providers.yaml' })).to.throw(ConfigError, /PROVIDERS_FILE cannot be read \(\/nonexistent\/providers.yaml\): ENOENT/);
  });

  it('accepts the shipped example file', () => {
    const config = loadConfig({ PROVIDERS_FILE: 'config/providers.example.yaml' });
    expect(config.providers.map((provider) => provider.id)).to.deep.equal(['openrouter', 'deepseek', 'ollama', 'groq']);
    expect(config.routing.fallbacks['deepseek-chat']).to.have.length(3);
  });
});
