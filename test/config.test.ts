import { expect } from 'chai';
import { ConfigError, loadConfig, type GatewayConfig } from '../src/config/load-config.js';

const openrouter = (config: GatewayConfig) => config.providers.find((provider) => provider.id === 'openrouter')!;

describe('configuration', () => {
  it('has working defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).to.equal(8080);
    expect(openrouter(config).baseUrl).to.equal('https://openrouter.ai/api/v1');
    expect(openrouter(config).apiKey).to.equal(undefined);
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(openrouter(config).timeouts)).to.equal(true);
  });

  const bad: [string, string, RegExp][] = [
    ['PORT', 'eighty', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['NODE_ENV', 'staging', /NODE_ENV must be one of development, production, test/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['OPENROUTER_BASE_URL', 'not a url', /OPENROUTER_BASE_URL must be an absolute http\(s\) URL/],
    ['OPENROUTER_BASE_URL', 'ftp://example.com', /OPENROUTER_BASE_URL must use http or https/],
    ['OPENROUTER_BASE_URL', 'https://user:secret@example.com/v1', /OPENROUTER_BASE_URL must not embed credentials/],
    ['UPSTREAM_IDLE_TIMEOUT_MS', '5', /UPSTREAM_IDLE_TIMEOUT_MS must be between/],
    ['GRAPHQL_INTROSPECTION', 'maybe', /GRAPHQL_INTROSPECTION must be true or false/],
  ];
  for (const [variable, value, message] of bad) {
    it(`stops on ${variable}=${value} with a message naming the variable`, () => {
      expect(() => loadConfig({ [variable]: value }))
        .to.throw(ConfigError, message)
        .with.property('variable', variable);
    });
  }

  it('drops a trailing slash from base URLs so paths join cleanly', () => {
    expect(openrouter(loadConfig({ OPENROUTER_BASE_URL: 'http://127.0.0.1:11434/v1/' })).baseUrl).to.equal('http://127.0.0.1:11434/v1');
  });

  it('turns introspection off by default in production only', () => {
    expect(loadConfig({ NODE_ENV: 'production', AUTH_DISABLED: 'true' }).graphqlIntrospection).to.equal(false);
    expect(loadConfig({ NODE_ENV: 'development' }).graphqlIntrospection).to.equal(true);
  });
});

describe('provider keys', () => {
  it('takes several comma-separated keys in a built-in key variable, each labelled by a hash prefix', () => {
    const config = loadConfig({ OPENROUTER_API_KEY: 'sk-or-first-key-000000001, sk-or-second-key-00000002' });
    const keys = config.providers.find((provider) => provider.id === 'openrouter')?.keys ?? [];
    expect(keys.map((key) => key.label)).to.have.length(2);
    for (const key of keys) expect(key.label).to.match(/^OPENROUTER_API_KEY#[0-9a-f]{8}$/);
    expect(JSON.stringify(keys.map((key) => key.label))).not.to.include('sk-or');
  });

  it('labels a single key by its variable', () => {
    const config = loadConfig({ DEEPSEEK_API_KEY: 'sk-ds-only-key-0000000001' });
    expect(config.providers.find((provider) => provider.id === 'deepseek')?.keys.map((key) => key.label)).to.deep.equal(['DEEPSEEK_API_KEY']);
  });
});

describe('configuration documentation', () => {
  it('documents every variable the service reads in .env.example and docs/configuration.md', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const configDir = new URL('../src/config/', import.meta.url);
    const source = readdirSync(configDir).map((file) => readFileSync(new URL(file, configDir), 'utf8')).join('\n');
    const variables = new Set([...source.matchAll(/read\w+\(env, '([A-Z_]+)'/g)].map((match) => match[1]!));
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const reference = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    expect(variables.size).to.be.above(20);
    for (const variable of variables) {
      expect(example, `.env.example lacks ${variable}`).to.match(new RegExp(`^${variable}=`, 'm'));
      expect(reference, `docs/configuration.md lacks ${variable}`).to.include(variable);
    }
  });
});
