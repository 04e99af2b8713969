import { expect } from 'chai';
import OpenAI from 'openai';
import { errorScenario, openAiCompletion, openAiStream, sseScenario, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startGateway, TEST_PROVIDER_KEY, type RunningGateway } from '../helpers/start-gateway.js';

describe('REST /v1/chat/completions with the official openai SDK', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let client: OpenAI;

  beforeEach(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, OPENROUTER_HTTP_REFERER: 'https://app.example', OPENROUTER_APP_TITLE: 'Example' });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterEach(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('returns a whole completion and says which provider served it', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'deepseek/deepseek-chat', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, max_tokens: 50 })
      .withResponse();
    expect(data.object).to.equal('chat.completion');
    expect(data.choices[0]?.message.content).to.equal('Hello world');
    expect(data.choices[0]?.finish_reason).to.equal('stop');
    expect(data.usage).to.include({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    expect((data as unknown as { x_gateway: { provider: string; attempts: number } }).x_gateway).to.deep.equal({ provider: 'openrouter', attempts: 1, cache: 'BYPASS' });
    expect(response.headers.get('x-gateway-provider')).to.equal('openrouter');
    expect(response.headers.get('x-gateway-model')).to.equal('test/model');

    const sent = upstream.requests[0];
    expect(sent?.path).to.equal('/api/v1/chat/completions');
    expect(sent?.body).to.include({ model: 'deepseek/deepseek-chat', temperature: 0.2, max_tokens: 50, stream: false });
    expect(sent?.headers.authorization).to.equal(`Bearer ${TEST_PROVIDER_KEY}`);
    expect(sent?.headers['http-referer']).to.equal('https://app.example');
    expect(sent?.headers['x-title']).to.equal('Example');
  });

  it('streams chunks that the SDK reassembles, and no usage unless asked for, as OpenAI does', async () => {
    upstream.enqueue(sseScenario(openAiStream(['The', ' answer', ' is', ' 42'], { leadingComments: [': OPENROUTER PROCESSING'] })));
    const stream = await client.chat.completions.create({ model: 'openrouter/openai/gpt-4o', messages: [{ role: 'user', content: 'Q' }], stream: true });
    let text = '';
    const finishReasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).to.equal('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finishReasons.push(chunk.choices[0]?.finish_reason ?? null);
      usage = chunk.usage ?? usage;
    }
    expect(text).to.equal('The answer is 42');
    expect(finishReasons.at(-1)).to.equal('stop');
    expect(usage).to.equal(undefined);
    // The explicit provider prefix is stripped before the call.
    expect(upstream.requests[0]?.body).to.include({ model: 'openai/gpt-4o', stream: true });
    expect(upstream.requests[0]?.body?.stream_options).to.deep.equal({ include_usage: true });
  });

  it('sends streams one after another over one kept-alive upstream connection', async () => {
    for (const word of ['first', 'second', 'third']) {
      upstream.enqueue(sseScenario(openAiStream([word])));
      let text = '';
      for await (const chunk of await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: word }], stream: true })) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).to.equal(word);
      // [DONE] reaches the client before the upstream's own end; a request sent at once would find the socket still busy.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A stream read to its end returns its socket to the pool; one cut after [DONE] would cost a new connection each time.
    expect(new Set(upstream.requests.map((request) => request.remotePort)).size).to.equal(1);
  });

  it('keeps every upstream connection a burst opened for the next burst, rather than reconnecting', async () => {
    // Answers held back a little, so each burst's 100 requests are in flight together.
    upstream.setDefault(() => ({ ...openAiCompletion('Hello'), headerDelayMs: 100 }));
    const burst = () => Promise.all(Array.from({ length: 100 }, () => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] })));
    await burst();
    await burst();
    expect(upstream.requests).to.have.length(200);
    expect(new Set(upstream.requests.map((request) => request.remotePort)).size).to.equal(100);
  });

  it('sends usage in a chunk of its own when stream_options.include_usage is set, as OpenAI does', async () => {
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'Q' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).to.deep.equal([]);
    expect(last?.usage?.total_tokens).to.equal(7);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).to.equal('stop');
    expect(chunks.at(-2)?.usage).to.equal(null);
  });

  it('surfaces reasoning deltas separately from content', async () => {
    upstream.enqueue(sseScenario(openAiStream(['4'], { reasoning: ['2+2', ' is 4'] })));
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: '2+2?' }], stream: true }),
    });
    const text = await response.text();
    const deltas = text
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map((event) => JSON.parse(event.slice(6)) as { choices: { delta: { reasoning?: string; content?: string } }[] });
    expect(deltas.map((d) => d.choices[0]?.delta.reasoning).filter(Boolean)).to.deep.equal(['2+2', ' is 4']);
    expect(deltas.map((d) => d.choices[0]?.delta.content).filter(Boolean)).to.deep.equal(['4']);
    expect(text.trimEnd().endsWith('data: [DONE]')).to.equal(true);
  });

  it('passes OpenRouter routing fields through untouched', async () => {
    await client.chat.completions.create({
      model: 'anthropic/claude-sonnet-4',
      messages: [{ role: 'user', content: 'Hi' }],
      // @ts-expect-error OpenRouter extensions are not in the OpenAI SDK's types
      models: ['openai/gpt-4o', 'mistralai/mixtral-8x7b'],
      provider: { order: ['Anthropic'], allow_fallbacks: false },
    });
    expect(upstream.requests[0]?.body).to.deep.include({
      models: ['openai/gpt-4o', 'mistralai/mixtral-8x7b'],
      provider: { order: ['Anthropic'], allow_fallbacks: false },
    });
  });

  it('forwards tools and returns tool calls', async () => {
    upstream.enqueue({
      headers: { 'content-type': 'application/json' },
      pieces: [
        JSON.stringify({
          id: 'gen-tools',
          created: 1,
          model: 'test/model',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
              finish_reason: 'tool_calls',
            },
          ],
        }),
      ],
    });
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'auto',
    });
    expect(completion.choices[0]?.finish_reason).to.equal('tool_calls');
    const call = completion.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall | undefined;
    expect(call?.function).to.deep.equal({ name: 'weather', arguments: '{"city":"Oslo"}' });
    expect(upstream.requests[0]?.body?.tool_choice).to.equal('auto');
    expect((upstream.requests[0]?.body?.tools as unknown[]).length).to.equal(1);
  });

  describe('upstream failures map to their own status and code', () => {
    const cases: { status: number; headers?: Record<string, string>; code: string; expected: number; metadata?: Record<string, unknown> }[] = [
      { status: 401, code: 'upstream_auth_failed', expected: 502 },
      { status: 402, code: 'upstream_insufficient_credits', expected: 402 },
      { status: 403, code: 'upstream_content_blocked', expected: 403, metadata: { reasons: ['violence'], flagged_input: 'x' } },
      { status: 404, code: 'model_not_found', expected: 404 },
      { status: 429, headers: { 'retry-after': '7' }, code: 'upstream_rate_limited', expected: 429 },
      { status: 502, code: 'upstream_unavailable', expected: 502 },
      { status: 503, code: 'upstream_unavailable', expected: 502 },
    ];
    for (const { status, headers, code, expected, metadata } of cases) {
      it(`upstream ${status} -> ${expected} ${code}`, async () => {
        upstream.enqueue(errorScenario(status, `upstream says no (${TEST_PROVIDER_KEY})`, headers, metadata));
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }),
        });
        const body = (await response.json()) as { error: { code: string; message: string; provider: string } };
        expect(response.status).to.equal(expected);
        expect(body.error.code).to.equal(code);
        expect(body.error.provider).to.equal('openrouter');
        expect(body.error.message).not.to.include(TEST_PROVIDER_KEY);
        if (status === 429) expect(response.headers.get('retry-after')).to.equal('7');
      });
    }

    it('the SDK sees the same error on a streaming request', async () => {
      upstream.enqueue(errorScenario(429, 'slow down', { 'retry-after': '3' }));
      try {
        await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true });
        expect.fail('should have thrown');
      } catch (error) {
        expect(error).to.be.instanceOf(OpenAI.RateLimitError);
        expect((error as InstanceType<typeof OpenAI.APIError>).code).to.equal('upstream_rate_limited');
      }
    });

    it('a connection refused upstream is 502 upstream_unavailable, not a 500', async () => {
      await upstream.close();
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(response.status).to.equal(502);
      expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('upstream_unavailable');
      upstream = await startFakeUpstream();
    });
  });

  describe('a failure after the stream started', () => {
    it('ends with an error event and no [DONE]; the SDK throws', async () => {
      const pieces = openAiStream(['partial'], { finishReason: null, usage: null, done: false });
      pieces.push(`data: ${JSON.stringify({ id: 'gen-test-1', object: 'chat.completion.chunk', error: { code: 'server_error', message: 'Provider disconnected unexpectedly' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }] })}\n\n`);
      upstream.enqueue(sseScenario(pieces));
      const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Q' }], stream: true });
      let text = '';
      try {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        expect.fail('the stream should have failed');
      } catch (error) {
        expect(error).to.be.instanceOf(OpenAI.APIError);
        expect((error as InstanceType<typeof OpenAI.APIError>).message).to.include('Provider disconnected unexpectedly');
      }
      expect(text).to.equal('partial');
    });

    it('a truncated upstream stream is reported as upstream_stream_truncated', async () => {
      upstream.enqueue(sseScenario(openAiStream(['cut'], { finishReason: null, usage: null, done: false })));
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
      });
      const text = await response.text();
      expect(text).to.include('"code":"upstream_stream_truncated"');
      expect(text).not.to.include('[DONE]');
    });
  });
});
