import { expect } from 'chai';
import OpenAI from 'openai';
import { openAiCompletion, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

describe('stored responses in Redis', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  let replicas: RunningGateway[] = [];
  const clientOf = (gateway: RunningGateway) => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });

  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => redis.stop());
  beforeEach(async () => {
    upstream = await startFakeUpstream();
    const env = { OPENROUTER_BASE_URL: upstream.url, REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'responses-test:', RESPONSES_TTL_SECONDS: '3600' };
    replicas = [await startGateway(env), await startGateway(env)];
  });
  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await upstream.close();
    await redis.client().flushall();
  });

  it('continues on another replica a conversation stored by the first, and keeps it for RESPONSES_TTL_SECONDS', async () => {
    upstream.enqueue(openAiCompletion('Noted: Ada.'), openAiCompletion('Ada.'));
    const first = await clientOf(replicas[0]!).responses.create({ model: 'm', input: 'My name is Ada.' });
    const second = await clientOf(replicas[1]!).responses.create({ model: 'm', previous_response_id: first.id, input: 'My name?' });
    expect(second.output_text).to.equal('Ada.');
    expect(upstream.requests[1]?.body?.messages).to.have.length(3);
    const keys = await redis.client().keys('responses-test:responses:*');
    expect(keys).to.have.length(2);
    const ttl = await redis.client().ttl(keys[0]!);
    expect(ttl).to.be.within(3500, 3600);
  });

  it('keeps responses in the replica’s memory while Redis is away, so a conversation goes on', async () => {
    await redis.kill();
    try {
      upstream.enqueue(openAiCompletion('Noted.'), openAiCompletion('Still here.'));
      const client = clientOf(replicas[0]!);
      const first = await client.responses.create({ model: 'm', input: 'Remember me.' });
      const second = await client.responses.create({ model: 'm', previous_response_id: first.id, input: 'Still there?' });
      expect(second.output_text).to.equal('Still here.');
    } finally {
      await redis.start();
    }
  });
});
