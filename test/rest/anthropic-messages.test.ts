import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import { errorScenario, openAiCompletion, openAiStream, openAiToolCallCompletion, openAiToolCallStream, sseScenario } from '../helpers/fake-upstream.js';
import { gatewayPerTest, threeProvidersPerTest } from '../helpers/per-test-setup.js';
import { CLIENT_KEY, startSecuredGateway } from '../helpers/secured-gateway.js';

const WEATHER_TOOL = { name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };

describe('Anthropic Messages API (/v1/messages)', () => {
  const setup = gatewayPerTest();
  const client = () => new Anthropic({ baseURL: setup.gateway.url, apiKey: 'unused', maxRetries: 0 });
  const upstreamBody = (index = 0) => setup.upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))[index]?.body ?? {};

  it('answers messages.create from the official SDK through any provider, system prompt and limits translated', async () => {
    setup.upstream.enqueue(openAiCompletion('Bonjour!'));
    const message = await client().messages.create({
      model: 'openai/gpt-4o-mini',
      max_tokens: 64,
      system: 'Answer in French.',
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(message.type).to.equal('message');
    expect(message.role).to.equal('assistant');
    expect(message.id).to.match(/^msg_/);
    expect(message.content).to.deep.equal([{ type: 'text', text: 'Bonjour!' }]);
    expect(message.stop_reason).to.equal('end_turn');
    expect(message.usage).to.include({ input_tokens: 5, output_tokens: 2 });
    expect(upstreamBody()).to.deep.include({
      model: 'openai/gpt-4o-mini',
      max_tokens: 64,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hello' },
      ],
    });
  });

  it('accepts Anthropic-only fields it does not translate instead of refusing the request', async () => {
    setup.upstream.enqueue(openAiCompletion('ok'));
    const message = await client().messages.create({
      model: 'm',
      max_tokens: 16,
      service_tier: 'auto',
      metadata: { user_id: 'user-7' },
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] }],
    });
    expect(message.content).to.deep.equal([{ type: 'text', text: 'ok' }]);
    expect(upstreamBody()).to.deep.include({ user: 'user-7', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
  });

  it('turns tool calls into tool_use blocks, and tool_result blocks back into tool messages', async () => {
    setup.upstream.enqueue(openAiToolCallCompletion());
    const first = await client().messages.create({ model: 'm', max_tokens: 64, tools: [WEATHER_TOOL], tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(first.stop_reason).to.equal('tool_use');
    expect(first.content).to.deep.equal([{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }]);
    expect(upstreamBody(0)).to.deep.include({ tool_choice: 'required' });
    expect(upstreamBody(0).tools).to.deep.equal([{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: WEATHER_TOOL.input_schema } }]);

    setup.upstream.enqueue(openAiCompletion('It is sunny in Paris.'));
    const second = await client().messages.create({
      model: 'm',
      max_tokens: 64,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'sunny, 21°C' }] },
      ],
    });
    expect(second.content).to.deep.equal([{ type: 'text', text: 'It is sunny in Paris.' }]);
    expect(upstreamBody(1).messages).to.deep.equal([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21°C' },
    ]);
  });

  it('streams Anthropic events the SDK assembles: thinking, then text, with the stop reason and usage', async () => {
    setup.upstream.enqueue(sseScenario(openAiStream(['Hel', 'lo'], { reasoning: ['Let me ', 'think.'], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } })));
    const stream = client().messages.stream({ model: 'm', max_tokens: 64, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'Hi' }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts).to.deep.equal(['Hel', 'lo']);
    expect(message.content).to.deep.equal([
      { type: 'thinking', thinking: 'Let me think.', signature: '' },
      { type: 'text', text: 'Hello' },
    ]);
    expect(message.stop_reason).to.equal('end_turn');
    expect(message.usage).to.include({ output_tokens: 4 });
    expect(upstreamBody()).to.deep.include({ stream: true, reasoning: { max_tokens: 1024 } });
  });

  it('streams a tool call as a tool_use block whose input the SDK parses', async () => {
    setup.upstream.enqueue(sseScenario(openAiToolCallStream()));
    const message = await client().messages.stream({ model: 'm', max_tokens: 64, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather?' }] }).finalMessage();
    expect(message.stop_reason).to.equal('tool_use');
    expect(message.content).to.deep.equal([{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }]);
    expect(message.usage).to.include({ output_tokens: 7 });
  });

  it('serves a repeated temperature-0 request from the cache, as chat completions are', async () => {
    setup.upstream.enqueue(openAiCompletion('cached answer'));
    const request = { model: 'm', max_tokens: 16, temperature: 0, messages: [{ role: 'user' as const, content: 'same question' }] };
    await client().messages.create(request);
    const { data, response } = await client().messages.create(request).withResponse();
    expect(response.headers.get('x-cache')).to.equal('HIT');
    expect(data.content).to.deep.equal([{ type: 'text', text: 'cached answer' }]);
    expect(setup.upstream.requests).to.have.length(1);
  });

  it('reports provider failures and bad requests as the SDK’s typed errors, in Anthropic’s error shape', async () => {
    setup.upstream.enqueue(errorScenario(429, 'Rate limit exceeded', { 'retry-after': '7' }));
    try {
      await client().messages.create({ model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
      expect.fail('expected a rate limit error');
    } catch (error) {
      expect(error).to.be.instanceOf(Anthropic.RateLimitError);
      const body = (error as InstanceType<typeof Anthropic.RateLimitError>).error as { type: string; error: { type: string; code: string } };
      expect(body).to.deep.include({ type: 'error' });
      expect(body.error).to.include({ type: 'rate_limit_error', code: 'upstream_rate_limited' });
    }

    const missingMaxTokens = await fetch(`${setup.gateway.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }) });
    expect(missingMaxTokens.status).to.equal(400);
    const body = (await missingMaxTokens.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).to.equal('error');
    expect(body.error.type).to.equal('invalid_request_error');
    expect(body.error.message).to.contain('max_tokens');
  });

  it('counts input tokens without calling a provider', async () => {
    const small = await client().messages.countTokens({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
    const large = await client().messages.countTokens({ model: 'm', system: 'You are terse.', tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Hi '.repeat(200) }] });
    expect(small.input_tokens).to.be.greaterThan(0);
    expect(large.input_tokens).to.be.greaterThan(small.input_tokens + 100);
    expect(setup.upstream.requests).to.have.length(0);
  });
});

describe('Anthropic Messages API with authentication on', () => {
  it('takes the key as x-api-key, as Anthropic’s SDKs send it, and refuses a wrong one in Anthropic’s shape', async () => {
    const secured = await startSecuredGateway();
    try {
      secured.upstream.enqueue(openAiCompletion('hi'));
      const accepted = await new Anthropic({ baseURL: secured.gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 }).messages.create({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });
      expect(accepted.content).to.deep.equal([{ type: 'text', text: 'hi' }]);
      try {
        await new Anthropic({ baseURL: secured.gateway.url, apiKey: 'sk-wrong', maxRetries: 0 }).messages.create({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });
        expect.fail('expected an authentication error');
      } catch (error) {
        expect(error).to.be.instanceOf(Anthropic.AuthenticationError);
        const body = (error as InstanceType<typeof Anthropic.AuthenticationError>).error as { error: { type: string; code: string } };
        expect(body.error).to.include({ type: 'authentication_error', code: 'unauthenticated' });
      }
    } finally {
      await secured.close();
    }
  });
});

describe('Anthropic Messages API through the shared pipeline', () => {
  const setup = threeProvidersPerTest({ RETRY_MAX_ATTEMPTS: '1' });
  const client = () => new Anthropic({ baseURL: setup.gateway.url, apiKey: 'unused', maxRetries: 0 });
  const request = (stream: boolean) => ({ model: 'deepseek-chat', max_tokens: 32, stream, messages: [{ role: 'user' as const, content: 'Hi' }] });

  it('falls back along the chain before the first event, so the SDK sees one clean stream', async () => {
    setup.upstreams.deepseek!.enqueue(errorScenario(503, 'busy'));
    setup.upstreams.openrouter!.enqueue(errorScenario(502, 'bad gateway'));
    setup.upstreams.local!.enqueue(sseScenario(openAiStream(['from', ' local'])));
    const { data: stream, response } = await client().messages.create({ ...request(true), stream: true }).withResponse();
    const events: string[] = [];
    let text = '';
    for await (const event of stream) {
      events.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(response.headers.get('x-gateway-provider')).to.equal('local');
    expect(text).to.equal('from local');
    expect(events[0]).to.equal('message_start');
    expect(events.at(-1)).to.equal('message_stop');
  });

  it('ends a stream that fails after its first event with Anthropic’s error event, never a second provider', async () => {
    setup.upstreams.deepseek!.enqueue(sseScenario(openAiStream(['Partial'], { finishReason: null, usage: null, done: false })));
    const response = await fetch(`${setup.gateway.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request(true)) });
    const events = (await response.text()).split('\n\n').filter((block) => block.startsWith('event: '));
    expect(events.some((block) => block.includes('"text":"Partial"'))).to.equal(true);
    const last = events.at(-1) ?? '';
    expect(last.startsWith('event: error\n')).to.equal(true);
    expect(JSON.parse(last.split('\ndata: ')[1] ?? '{}')).to.deep.include({ type: 'error' });
    expect(last).to.include('"code":"upstream_stream_truncated"');
    expect(setup.upstreams.openrouter!.requests).to.have.length(0);
    await expectSdkToThrowOnErrorEvent(client());
  });

  async function expectSdkToThrowOnErrorEvent(sdk: Anthropic): Promise<void> {
    setup.upstreams.deepseek!.enqueue(sseScenario(openAiStream(['Partial'], { finishReason: null, usage: null, done: false })));
    try {
      await sdk.messages.stream(request(true)).finalMessage();
      expect.fail('expected the stream to fail');
    } catch (error) {
      expect(String(error)).to.include('truncated');
    }
  }

  it('aborts the upstream stream when the client leaves', async () => {
    setup.upstreams.deepseek!.enqueue(sseScenario(openAiStream(['one', 'two', 'three']), 300, true));
    const stream = client().messages.stream(request(true));
    await new Promise<void>((resolve) => stream.on('text', () => resolve()));
    stream.abort();
    await setup.upstreams.deepseek!.waitForAbort(2_000);
  });

  it('records usage for the calling key and model, as for chat completions', async () => {
    setup.upstreams.deepseek!.enqueue(openAiCompletion('counted'));
    await client().messages.create({ ...request(false), stream: false });
    const usage = (await (await fetch(`${setup.gateway.url}/v1/usage?provider=deepseek`)).json()) as { totals: { requests: number; prompt_tokens: number; completion_tokens: number } };
    expect(usage.totals).to.include({ requests: 1, prompt_tokens: 5, completion_tokens: 2 });
  });
});

describe('Anthropic Messages API as Claude Code calls it', () => {
  const setup = gatewayPerTest();

  it('takes ?beta=true, anthropic-beta headers, cached system blocks and server tools, translating only client tools', async () => {
    setup.upstream.enqueue(openAiCompletion('done'));
    const response = await fetch(`${setup.gateway.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'unused', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14' },
      body: JSON.stringify({
        model: 'openrouter/anthropic/claude-sonnet-4',
        max_tokens: 32_000,
        system: [
          { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Be concise.' },
        ],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'List files', cache_control: { type: 'ephemeral' } }] }],
        tools: [
          { name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } },
          { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
        ],
        metadata: { user_id: 'user_abc_session_1' },
        stream: false,
      }),
    });
    expect(response.status).to.equal(200);
    const body = setup.upstream.requests[0]?.body ?? {};
    expect(body.messages).to.deep.equal([
      { role: 'system', content: 'You are Claude Code.Be concise.' },
      { role: 'user', content: 'List files' },
    ]);
    expect((body.tools as { function: { name: string } }[]).map((tool) => tool.function.name)).to.deep.equal(['Bash']);
  });
});
