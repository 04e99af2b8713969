import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import OpenAI from 'openai';
import { errorScenario, sseScenario, type Scenario } from '../helpers/fake-upstream.js';
import { PROVIDER_KEYS, startMultiProviderGateway, type MultiProviderSetup } from '../helpers/multi-provider-gateway.js';

/** `local` speaks all three protocols itself; DeepSeek speaks Anthropic's under /anthropic by default. */
const NATIVE_PROVIDERS = (urls: Record<string, string>) => `
providers:
  - id: local
    kind: openai-compatible
    baseUrl: ${urls.local}
    apiKeyEnv: LOCAL_API_KEY
    models: [gpt-5, claude-sonnet-4]
    nativeResponses: true
    anthropicBaseUrl: ${urls.local}/anthropic
fallbacks:
  native-chain:
    - deepseek/deepseek-chat
    - local/claude-sonnet-4
  mixed-chain:
    - deepseek/deepseek-chat
    - openrouter/anthropic/claude-sonnet-4
`;

const json = (body: unknown): Scenario => ({ headers: { 'content-type': 'application/json' }, pieces: [JSON.stringify(body)] });
const named = (event: string, data: Record<string, unknown>) => `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;

const ANTHROPIC_MESSAGE = {
  id: 'msg_upstream_1',
  type: 'message',
  role: 'assistant',
  model: 'deepseek-chat',
  content: [
    { type: 'thinking', thinking: 'Considering.', signature: 'sig-from-upstream' },
    { type: 'text', text: 'Hello!' },
  ],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 2 },
};

function anthropicStream(text: string[]): string[] {
  return [
    named('message_start', { message: { ...ANTHROPIC_MESSAGE, content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } }),
    named('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    named('ping', {}),
    ...text.map((piece) => named('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } })),
    named('content_block_stop', { index: 0 }),
    named('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }),
    named('message_stop', {}),
  ];
}

const RESPONSE = {
  id: 'resp_upstream_1',
  object: 'response',
  created_at: 1_700_000_000,
  status: 'completed',
  model: 'gpt-5',
  output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Native hello', annotations: [] }] }],
  usage: { input_tokens: 7, output_tokens: 3, total_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 1 } },
};

describe('native protocols: requests pass through to providers that speak them', () => {
  let setup: MultiProviderSetup;
  beforeEach(async () => {
    setup = await startMultiProviderGateway(NATIVE_PROVIDERS, { RETRY_MAX_ATTEMPTS: '1' });
  });
  afterEach(() => setup.close());
  const anthropic = () => new Anthropic({ baseURL: setup.gateway.url, apiKey: 'unused', maxRetries: 0 });
  const openai = () => new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });

  it('sends a Messages request to DeepSeek’s Anthropic endpoint as it is, and its answer back as it is', async () => {
    setup.upstreams.deepseek!.enqueue(json(ANTHROPIC_MESSAGE));
    const request = {
      model: 'deepseek/deepseek-chat',
      max_tokens: 1024,
      system: [{ type: 'text' as const, text: 'Be brief.', cache_control: { type: 'ephemeral' as const } }],
      thinking: { type: 'enabled' as const, budget_tokens: 512 },
      tools: [{ type: 'web_search_20250305' as const, name: 'web_search' as const, max_uses: 2 }],
      messages: [{ role: 'user' as const, content: 'Hi' }],
    };
    const { data: message, response } = await anthropic().messages.create(request).withResponse();
    expect(message.content).to.deep.equal(ANTHROPIC_MESSAGE.content);
    expect(message.id).to.equal('msg_upstream_1');
    expect(response.headers.get('x-gateway-provider')).to.equal('deepseek');
    const call = setup.upstreams.deepseek!.requests[0]!;
    expect(call.path.endsWith('/anthropic/v1/messages')).to.equal(true);
    expect(call.body).to.deep.equal({ ...request, model: 'deepseek-chat', stream: false });
    expect(call.headers['anthropic-version']).to.equal('2023-06-01');
    expect(call.headers['x-api-key']).to.equal(PROVIDER_KEYS.deepseek);
  });

  it('streams Anthropic events through unchanged, and records their usage', async () => {
    setup.upstreams.deepseek!.enqueue(sseScenario(anthropicStream(['Hel', 'lo'])));
    const texts: string[] = [];
    const stream = anthropic().messages.stream({ model: 'deepseek/deepseek-chat', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    stream.on('text', (text) => texts.push(text));
    const final = await stream.finalMessage();
    expect(texts).to.deep.equal(['Hel', 'lo']);
    expect(final.id).to.equal('msg_upstream_1');
    expect(final.usage.output_tokens).to.equal(5);
    const usage = (await (await fetch(`${setup.gateway.url}/v1/usage?provider=deepseek`)).json()) as { totals: { prompt_tokens: number; completion_tokens: number } };
    expect(usage.totals).to.include({ prompt_tokens: 10, completion_tokens: 5 });
  });

  it('falls back along a route whose providers all speak Anthropic’s protocol, before the first event', async () => {
    setup.upstreams.deepseek!.enqueue(errorScenario(503, 'busy'));
    setup.upstreams.local!.enqueue(sseScenario(anthropicStream(['from local'])));
    const { data: stream, response } = await anthropic().messages.create({ model: 'native-chain', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    let text = '';
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    expect(response.headers.get('x-gateway-provider')).to.equal('local');
    expect(text).to.equal('from local');
    expect(setup.upstreams.local!.requests[0]?.path.endsWith('/anthropic/v1/messages')).to.equal(true);
  });

  it('ends a native stream cut after its first event with Anthropic’s error event, and aborts upstream when the client leaves', async () => {
    setup.upstreams.deepseek!.enqueue(sseScenario(anthropicStream(['Partial']).slice(0, 3)));
    const cut = await fetch(`${setup.gateway.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'deepseek/deepseek-chat', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'Hi' }] }) });
    const events = (await cut.text()).split('\n\n').filter((block) => block.startsWith('event: '));
    expect(events[0]?.startsWith('event: message_start')).to.equal(true);
    expect(events.at(-1)).to.match(/^event: error\ndata: \{"type":"error","error":\{"type":"api_error",.*"code":"upstream_stream_truncated"/);

    setup.upstreams.deepseek!.enqueue(sseScenario(anthropicStream(['one', 'two', 'three']), 300, true));
    const stream = anthropic().messages.stream({ model: 'deepseek/deepseek-chat', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    await new Promise<void>((resolve) => stream.on('text', () => resolve()));
    stream.abort();
    await setup.upstreams.deepseek!.waitForAbort(2_000);
  });

  it('translates when the route mixes providers, so one stream never changes format', async () => {
    setup.upstreams.deepseek!.enqueue(json({ id: 'gen-1', object: 'chat.completion', created: 1, model: 'deepseek-chat', choices: [{ index: 0, message: { role: 'assistant', content: 'translated' }, finish_reason: 'stop' }] }));
    const message = await anthropic().messages.create({ model: 'mixed-chain', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).to.deep.equal([{ type: 'text', text: 'translated' }]);
    expect(setup.upstreams.deepseek!.requests[0]?.path.endsWith('/chat/completions')).to.equal(true);
  });

  it('sends a Responses request to a provider that serves the Responses API as it is', async () => {
    setup.upstreams.local!.enqueue(json(RESPONSE));
    const request = { model: 'local/gpt-5', input: 'Hi', include: ['reasoning.encrypted_content' as const], tools: [{ type: 'web_search' as const }], store: true };
    const response = await openai().responses.create(request);
    expect(response.id).to.equal('resp_upstream_1');
    expect(response.output_text).to.equal('Native hello');
    const call = setup.upstreams.local!.requests[0]!;
    expect(call.path.endsWith('/responses')).to.equal(true);
    expect(call.body).to.deep.equal({ ...request, model: 'gpt-5', stream: false });
    // The provider keeps its own responses: a follow-up passes through with the id it gave.
    setup.upstreams.local!.enqueue(json({ ...RESPONSE, id: 'resp_upstream_2', previous_response_id: 'resp_upstream_1' }));
    const followUp = await openai().responses.create({ model: 'local/gpt-5', input: 'And?', previous_response_id: response.id });
    expect(followUp.id).to.equal('resp_upstream_2');
    expect(setup.upstreams.local!.requests[1]?.body).to.deep.include({ previous_response_id: 'resp_upstream_1' });
  });

  it('streams Responses events through unchanged', async () => {
    const events = [
      named('response.created', { sequence_number: 0, response: { ...RESPONSE, status: 'in_progress', output: [], usage: null } }),
      named('response.output_item.added', { sequence_number: 1, output_index: 0, item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] } }),
      named('response.content_part.added', { sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
      named('response.output_text.delta', { sequence_number: 3, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Native hello', logprobs: [] }),
      named('response.completed', { sequence_number: 4, response: RESPONSE }),
    ];
    setup.upstreams.local!.enqueue(sseScenario(events));
    const stream = openai().responses.stream({ model: 'local/gpt-5', input: 'Hi' });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    expect(types).to.deep.equal(['response.created', 'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.completed']);
    expect(final.id).to.equal('resp_upstream_1');
    const usage = (await (await fetch(`${setup.gateway.url}/v1/usage?provider=local`)).json()) as { totals: { prompt_tokens: number; completion_tokens: number } };
    expect(usage.totals).to.include({ prompt_tokens: 7, completion_tokens: 3 });
  });
});

describe('native protocols with output filters on', () => {
  it('translates instead, so the filters read every answer', async () => {
    const setup = await startMultiProviderGateway(NATIVE_PROVIDERS, { OUTPUT_REDACT: 'email' });
    try {
      setup.upstreams.deepseek!.enqueue(json({ id: 'gen-1', object: 'chat.completion', created: 1, model: 'deepseek-chat', choices: [{ index: 0, message: { role: 'assistant', content: 'write to a@b.example' }, finish_reason: 'stop' }] }));
      const message = await new Anthropic({ baseURL: setup.gateway.url, apiKey: 'unused', maxRetries: 0 }).messages.create({ model: 'deepseek/deepseek-chat', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
      expect(setup.upstreams.deepseek!.requests[0]?.path.endsWith('/chat/completions')).to.equal(true);
      expect(JSON.stringify(message.content)).not.to.include('a@b.example');
    } finally {
      await setup.close();
    }
  });
});
