import { expect } from 'chai';
import OpenAI from 'openai';
import { gatewayPerTest } from '../helpers/per-test-setup.js';

describe('routes the SDKs call', () => {
  const setup = gatewayPerTest();
  const client = () => new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });

  it('models.retrieve answers a model whose id has slashes, by gateway id or by the provider’s own id', async () => {
    const byGatewayId = await client().models.retrieve('openrouter/test/model');
    expect(byGatewayId).to.include({ id: 'openrouter/test/model', object: 'model', owned_by: 'test' });
    const byProviderId = await client().models.retrieve('test/model');
    expect(byProviderId.id).to.equal('openrouter/test/model');
  });

  it('models.retrieve of an unknown model is 404 model_not_found', async () => {
    try {
      await client().models.retrieve('nobody/serves-this');
      expect.fail('should have thrown');
    } catch (error) {
      expect(error).to.be.instanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).to.equal('model_not_found');
    }
  });

  it('a known path with the wrong method is 405 with Allow, not 404', async () => {
    const response = await fetch(`${setup.gateway.url}/v1/chat/completions`, { method: 'GET' });
    expect(response.status).to.equal(405);
    expect(response.headers.get('allow')).to.equal('POST, OPTIONS');
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('method_not_allowed');
    const models = await fetch(`${setup.gateway.url}/v1/models`, { method: 'DELETE' });
    expect(models.status).to.equal(405);
    expect(models.headers.get('allow')).to.equal('GET, HEAD, OPTIONS');
    expect((await fetch(`${setup.gateway.url}/v1/no-such-route`, { method: 'GET' })).status).to.equal(404);
  });
});
