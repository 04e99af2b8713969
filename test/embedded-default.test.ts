import { expect } from 'chai';
import { graphqlHttp } from './helpers/graphql-client.js';
import { startGateway, type RunningGateway } from './helpers/start-gateway.js';

describe('the embedded default: no provider key, no Redis', () => {
  let gateway: RunningGateway;

  before(async () => {
    gateway = await startGateway({ OPENROUTER_API_KEY: undefined, OPENROUTER_BASE_URL: 'http://127.0.0.1:9/never-called' });
  });
  after(() => gateway.close());

  it('starts, is alive and ready: readiness is about this replica, and the report says no provider is configured', async () => {
    expect((await fetch(`${gateway.url}/health/live`)).status).to.equal(200);
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.include({
      status: 'degraded',
      providers: [
        { id: 'openrouter', status: 'not_configured' },
        { id: 'deepseek', status: 'not_configured' },
      ],
    });
  });

  it('lists OpenRouter as not configured, naming the variable to set', async () => {
    const body = (await (await fetch(`${gateway.url}/v1/providers`)).json()) as { data: unknown[] };
    expect(body.data[0]).to.deep.equal({
      id: 'openrouter',
      kind: 'openrouter',
      configured: false,
      enabled: true,
      status: 'not_configured',
      breaker_state: 'closed',
      missing_configuration: 'OPENROUTER_API_KEY',
      models: null,
      last_error: null,
      keys: ['OPENROUTER_API_KEY'],
      deployments: [],
    });
    expect(body.data[1]).to.deep.include({ id: 'deepseek', status: 'not_configured', missing_configuration: 'DEEPSEEK_API_KEY' });
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: unknown[] };
    expect(models.data).to.deep.equal([]);
  });

  it('answers completions with provider_not_configured naming OPENROUTER_API_KEY', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    expect(response.status).to.equal(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).to.equal('provider_not_configured');
    expect(body.error.message).to.include('OPENROUTER_API_KEY');
  });

  it('says the same through GraphQL', async () => {
    const result = await graphqlHttp<{ providers: { status: string; missingConfiguration: string }[] }>(
      gateway.url,
      'mutation { createChatCompletion(input: { model: "m", messages: [{ role: USER, content: "Hi" }] }) { id } } ',
    );
    expect(result.errors?.[0]?.extensions).to.include({ code: 'provider_not_configured', status: 503 });
    const providers = await graphqlHttp<{ providers: { status: string; missingConfiguration: string }[] }>(gateway.url, '{ providers { status missingConfiguration } }');
    expect(providers.data?.providers).to.deep.equal([
      { status: 'NOT_CONFIGURED', missingConfiguration: 'OPENROUTER_API_KEY' },
      { status: 'NOT_CONFIGURED', missingConfiguration: 'DEEPSEEK_API_KEY' },
    ]);
  });
});
