import { expect } from 'chai';
import { collectSubscription, wsClient } from '../helpers/graphql-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { redisAndUpstreamPerSuite } from '../helpers/per-test-setup.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('rate limits per client', () => {
  const setup = redisAndUpstreamPerSuite();
  const gateways: RunningGateway[] = [];
  let prefix = 0;

  const start = async (env: Record<string, string>) => {
    const gateway = await startGateway({ OPENROUTER_BASE_URL: setup.upstream.url, REDIS_URL: setup.redis.url, REDIS_KEY_PREFIX: `rl-test-${prefix}:`, ...env });
    gateways.push(gateway);
    return gateway;
  };
  const post = (gateway: RunningGateway, body: Record<string, unknown> = {}) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], ...body }),
    });

  beforeEach(() => {
    prefix++;
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  });

  it('answers 429 rate_limit_exceeded with Retry-After and RateLimit headers once RPM is spent', async () => {
    const gateway = await start({ RATE_LIMIT_RPM: '3' });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await post(gateway);
      statuses.push(last.status);
      if (i === 0) {
        expect(last.headers.get('ratelimit-limit')).to.equal('3');
        expect(last.headers.get('ratelimit-remaining')).to.equal('2');
        expect(Number(last.headers.get('ratelimit-reset'))).to.be.within(1, 60);
      }
    }
    expect(statuses).to.deep.equal([200, 200, 200, 429]);
    expect(((await last!.json()) as ErrorBody).error.code).to.equal('rate_limit_exceeded');
    expect(Number(last!.headers.get('retry-after'))).to.be.within(1, 60);
    expect(setup.upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))).to.have.length(3 + 0);
  });

  it('holds across replicas sharing Redis', async () => {
    const [one, two] = [await start({ RATE_LIMIT_RPM: '4' }), await start({ RATE_LIMIT_RPM: '4' })];
    const statuses = [];
    for (const gateway of [one, two, one, two, one, two]) statuses.push((await post(gateway)).status);
    expect(statuses).to.deep.equal([200, 200, 200, 200, 429, 429]);
  });

  it('limits tokens per minute: reserves an estimate, then corrects it with real usage', async () => {
    const gateway = await start({ RATE_LIMIT_TPM: '1000', RATE_LIMIT_RPM: '0' });
    // max_tokens 600 reserves about 600 tokens; the fake provider reports 7, so 593 come back.
    expect((await post(gateway, { max_tokens: 600 })).status).to.equal(200);
    expect((await post(gateway, { max_tokens: 600 })).status).to.equal(200);
    // Without the correction these two would have spent 1200 of 1000.
    const rejected = await post(gateway, { max_tokens: 990 });
    expect(rejected.status).to.equal(429);
    expect(((await rejected.json()) as ErrorBody).error.message).to.include('tokens per minute');
  });

  it('counts GraphQL requests and subscriptions too, with the same code and a retry-after extension', async () => {
    const own = await startFakeUpstream();
    const gateway = await start({ RATE_LIMIT_RPM: '2', OPENROUTER_BASE_URL: own.url });
    const client = wsClient(gateway.wsUrl);
    try {
      const subscription = 'subscription { chatCompletionStream(input: { model: "m", messages: [{ role: USER, content: "Hi" }] }) { choices { delta { content } } } }';
      expect((await collectSubscription(client, subscription, {})).at(-1)?.errors).to.equal(undefined);
      expect((await post(gateway)).status).to.equal(200);
      const results = await collectSubscription(client, subscription, {});
      expect(results[0]?.errors?.[0]?.extensions).to.include({ code: 'rate_limit_exceeded', status: 429 });
      expect(results[0]?.errors?.[0]?.extensions?.retryAfterSeconds).to.be.a('number');
      const mutation = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { createChatCompletion(input: { model: "m", messages: [{ role: USER, content: "Hi" }] }) { id } }' }),
      });
      expect(((await mutation.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).to.equal('rate_limit_exceeded');
    } finally {
      await client.dispose();
      await own.close();
    }
  });

  it('works without Redis, per process', async () => {
    const gateway = await startGateway({ OPENROUTER_BASE_URL: setup.upstream.url, RATE_LIMIT_RPM: '1' });
    gateways.push(gateway);
    expect((await post(gateway)).status).to.equal(200);
    expect((await post(gateway)).status).to.equal(429);
  });
});
