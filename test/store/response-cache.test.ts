import { expect } from 'chai';
import { openAiStream, sseScenario, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { redisAndUpstreamPerSuite } from '../helpers/per-test-setup.js';

const chatCalls = (upstream: FakeUpstream) => upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).length;

function post(gateway: RunningGateway, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'What is 2+2?' }], temperature: 0, ...body }),
  });
}

function sseText(text: string): string {
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: {'))
    .map((event) => (JSON.parse(event.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
    .join('');
}

for (const backend of ['redis', 'memory'] as const) {
  describe(`response cache (${backend})`, () => {
    let redis: TestRedis | undefined;
    let upstream: FakeUpstream;
    let gateway: RunningGateway;
    const env = () => ({ OPENROUTER_BASE_URL: upstream.url, ...(redis === undefined ? {} : { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'cache-test:' }) });

    before(async () => {
      if (backend === 'redis') redis = await startTestRedis();
    });
    after(async () => redis?.stop());
    beforeEach(async () => {
      upstream = await startFakeUpstream();
      gateway = await startGateway(env());
    });
    afterEach(async () => {
      await gateway.close();
      await upstream.close();
      if (redis !== undefined) await redis.client().flushall();
    });

    it('misses, then hits without calling the provider', async () => {
      const first = await post(gateway, {});
      expect(first.headers.get('x-cache')).to.equal('MISS');
      const second = await post(gateway, { user: 'someone-else', stream: false });
      expect(second.headers.get('x-cache')).to.equal('HIT');
      const body = (await second.json()) as { choices: { message: { content: string } }[]; x_gateway: { attempts: number; cache: string } };
      expect(body.choices[0]?.message.content).to.equal('Hello world');
      expect(body.x_gateway).to.include({ attempts: 0, cache: 'HIT' });
      expect(chatCalls(upstream)).to.equal(1);
    });

    it('bypasses requests sampled above temperature 0', async () => {
      const response = await post(gateway, { temperature: 0.7 });
      expect(response.headers.get('x-cache')).to.equal('BYPASS');
      await post(gateway, { temperature: 0.7 });
      expect(chatCalls(upstream)).to.equal(2);
    });

    it('honours Cache-Control: no-cache (skip the lookup) and no-store (skip the write)', async () => {
      expect((await post(gateway, {}, { 'cache-control': 'no-store' })).headers.get('x-cache')).to.equal('MISS');
      expect((await post(gateway, {})).headers.get('x-cache')).to.equal('MISS');
      expect((await post(gateway, {}, { 'cache-control': 'no-cache' })).headers.get('x-cache')).to.equal('BYPASS');
      expect((await post(gateway, {})).headers.get('x-cache')).to.equal('HIT');
      expect(chatCalls(upstream)).to.equal(3);
    });

    it('keys on everything that changes the answer', async () => {
      await post(gateway, {});
      expect((await post(gateway, { max_tokens: 5 })).headers.get('x-cache')).to.equal('MISS');
      expect((await post(gateway, { messages: [{ role: 'user', content: 'What is 3+3?' }] })).headers.get('x-cache')).to.equal('MISS');
      expect((await post(gateway, { model: 'other' })).headers.get('x-cache')).to.equal('MISS');
      expect((await post(gateway, { seed: 1 })).headers.get('x-cache')).to.equal('MISS');
    });

    it('replays a cached answer as a stream, and caches a streamed answer for whole requests', async () => {
      await post(gateway, {});
      const replay = await post(gateway, { stream: true });
      expect(replay.headers.get('x-cache')).to.equal('HIT');
      const text = await replay.text();
      expect(sseText(text)).to.equal('Hello world');
      expect(text.trimEnd().endsWith('data: [DONE]')).to.equal(true);

      upstream.enqueue(sseScenario(openAiStream(['Four', '.'])));
      const streamed = await post(gateway, { stream: true, messages: [{ role: 'user', content: 'Spell 4' }] });
      expect(streamed.headers.get('x-cache')).to.equal('MISS');
      expect(sseText(await streamed.text())).to.equal('Four.');
      const whole = await post(gateway, { messages: [{ role: 'user', content: 'Spell 4' }] });
      expect(whole.headers.get('x-cache')).to.equal('HIT');
      expect(((await whole.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).to.equal('Four.');
      expect(chatCalls(upstream)).to.equal(2);
    });

    it('does not cache a stream that failed', async () => {
      upstream.enqueue(sseScenario(openAiStream(['cut'], { finishReason: null, usage: null, done: false })));
      await (await post(gateway, { stream: true })).text();
      expect((await post(gateway, {})).headers.get('x-cache')).to.equal('MISS');
    });

    it('expires entries after CACHE_TTL_SECONDS', async () => {
      await gateway.close();
      gateway = await startGateway({ ...env(), CACHE_TTL_SECONDS: '1' });
      await post(gateway, {});
      expect((await post(gateway, {})).headers.get('x-cache')).to.equal('HIT');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await post(gateway, {})).headers.get('x-cache')).to.equal('MISS');
    });

    it('exposes the cache status and directives through GraphQL', async () => {
      const query = 'mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { cacheStatus attempts } }';
      const input = { model: 'm', temperature: 0, messages: [{ role: 'USER', content: 'What is 2+2?' }] };
      const run = async (extra: Record<string, unknown>) =>
        ((await (await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { input: { ...input, ...extra } } }) })).json()) as { data: { createChatCompletion: { cacheStatus: string } } }).data.createChatCompletion.cacheStatus;
      expect(await run({})).to.equal('MISS');
      expect(await run({})).to.equal('HIT');
      expect(await run({ cache: { noCache: true } })).to.equal('BYPASS');
    });
  });
}

describe('response cache in Redis specifics', () => {
  const setup = redisAndUpstreamPerSuite();

  it('is shared by replicas: an answer cached through one is a hit through another', async () => {
    const env = { OPENROUTER_BASE_URL: setup.upstream.url, REDIS_URL: setup.redis.url, REDIS_KEY_PREFIX: 'replicas:' };
    const [one, two] = await Promise.all([startGateway(env), startGateway(env)]);
    try {
      expect((await post(one, { messages: [{ role: 'user', content: 'shared' }] })).headers.get('x-cache')).to.equal('MISS');
      expect((await post(two, { messages: [{ role: 'user', content: 'shared' }] })).headers.get('x-cache')).to.equal('HIT');
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('treats a corrupt or outdated entry as a miss, and keeps its keys under the prefix', async () => {
    const gateway = await startGateway({ OPENROUTER_BASE_URL: setup.upstream.url, REDIS_URL: setup.redis.url, REDIS_KEY_PREFIX: 'corrupt:' });
    const client = setup.redis.client();
    try {
      await post(gateway, { messages: [{ role: 'user', content: 'corrupt me' }] });
      const keys = await client.keys('corrupt:cache:*');
      expect(keys).to.have.length(1);
      expect(await client.ttl(keys[0]!)).to.be.within(3500, 3600);
      await client.set(keys[0]!, '{not json');
      expect((await post(gateway, { messages: [{ role: 'user', content: 'corrupt me' }] })).headers.get('x-cache')).to.equal('MISS');
      await client.set(keys[0]!, JSON.stringify({ v: 999, result: {} }));
      expect((await post(gateway, { messages: [{ role: 'user', content: 'corrupt me' }] })).headers.get('x-cache')).to.equal('MISS');
    } finally {
      await gateway.close();
    }
  });
});
