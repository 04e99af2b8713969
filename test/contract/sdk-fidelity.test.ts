import { expect } from 'chai';
import OpenAI from 'openai';
import { chunkEvent, sseScenario, type Scenario } from '../helpers/fake-upstream.js';
import { postChat } from '../helpers/http.js';
import { gatewayPerTest } from '../helpers/per-test-setup.js';
import { TEST_PROVIDER_KEY } from '../helpers/start-gateway.js';

/** A current OpenAI answer with every field the gateway does not own, as a provider sends it. */
const RAW_COMPLETION = {
  id: 'chatcmpl-fidelity-1',
  object: 'chat.completion',
  created: 1_764_000_000,
  model: 'openai/gpt-4o-2025-08-06',
  provider: 'OpenAI',
  system_fingerprint: 'fp_4f5ab3c',
  service_tier: 'default',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Paris is the capital of France.',
        refusal: null,
        reasoning: 'The user asks a geography question.',
        annotations: [{ type: 'url_citation', url_citation: { url: 'https://example.org/paris', title: 'Paris', start_index: 0, end_index: 5 } }],
      },
      logprobs: { content: [{ token: 'Paris', logprob: -0.01, bytes: [80, 97, 114, 105, 115], top_logprobs: [] }], refusal: null },
      finish_reason: 'stop',
      native_finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 20,
    completion_tokens: 9,
    total_tokens: 29,
    prompt_tokens_details: { cached_tokens: 4, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 3, audio_tokens: 0, accepted_prediction_tokens: 1, rejected_prediction_tokens: 0 },
    cost: 0.00042,
  },
};

const RAW_CHUNKS = [
  { choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] },
  { choices: [{ index: 0, delta: { reasoning: 'Thinking.' }, finish_reason: null }] },
  { choices: [{ index: 0, delta: { content: 'Par' }, logprobs: { content: [{ token: 'Par', logprob: -0.1, bytes: [80, 97, 114], top_logprobs: [] }] }, finish_reason: null }] },
  { choices: [{ index: 0, delta: { content: 'is' }, logprobs: { content: [{ token: 'is', logprob: -0.2, bytes: [105, 115], top_logprobs: [] }] }, finish_reason: null }] },
  { choices: [{ index: 0, delta: { refusal: null }, finish_reason: 'stop', native_finish_reason: 'stop' }] },
  { choices: [], usage: RAW_COMPLETION.usage },
].map((chunk) => ({ id: 'chatcmpl-fidelity-2', object: 'chat.completion.chunk', created: 1_764_000_001, model: 'openai/gpt-4o-2025-08-06', provider: 'OpenAI', system_fingerprint: 'fp_4f5ab3c', service_tier: 'default', ...chunk }));

const wholeScenario = (): Scenario => ({ headers: { 'content-type': 'application/json' }, pieces: [JSON.stringify(RAW_COMPLETION)] });
const streamScenario = (): Scenario => sseScenario([...RAW_CHUNKS.map(chunkEvent), 'data: [DONE]\n\n']);

/** Every field of `raw`, recursively, must appear in `served` with the same value. */
function expectNothingLost(raw: unknown, served: unknown, path = 'body'): void {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    expect(served, path).to.deep.equal(raw);
    return;
  }
  expect(served, path).to.be.an('object');
  for (const [key, value] of Object.entries(raw)) expectNothingLost(value, (served as Record<string, unknown>)[key], `${path}.${key}`);
}

/** Every field a current `openai` SDK (and the Vercel AI SDK's providerOptions, and OpenRouter) may send. */
const EVERY_FIELD = {
  model: 'openai/gpt-4o',
  messages: [
    { role: 'developer', content: 'Be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Describe these.', cache_control: { type: 'ephemeral' } },
        { type: 'image_url', image_url: { url: 'https://example.org/cat.png', detail: 'low' } },
        { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
        { type: 'file', file: { filename: 'notes.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
      ],
    },
    { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{}' } },
    { role: 'function', name: 'lookup', content: '{"ok":true}' },
  ],
  store: true,
  modalities: ['text'],
  audio: { voice: 'alloy', format: 'mp3' },
  prediction: { type: 'content', content: 'A cat.' },
  service_tier: 'flex',
  verbosity: 'low',
  web_search_options: { search_context_size: 'low' },
  prompt_cache_key: 'user-42',
  prompt_cache_retention: '24h',
  safety_identifier: 'hashed-user-42',
  stream_options: { include_obfuscation: false },
  functions: [{ name: 'lookup', parameters: { type: 'object' } }],
  function_call: 'auto',
  reasoning_effort: 'xhigh',
  tools: [
    { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
    { type: 'custom', custom: { name: 'code_exec', description: 'Runs code', format: { type: 'text' } } },
  ],
  tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'get_weather' } }] } },
  usage: { include: true },
  plugins: [{ id: 'web', max_results: 3 }],
  metadata: { team: 'search' },
  max_completion_tokens: 100,
  parallel_tool_calls: false,
  response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
  logprobs: true,
  top_logprobs: 2,
  seed: 7,
  user: 'user-42',
  extra_vendor_field: { anything: ['goes', 1] },
};

describe('contract fidelity with the official SDKs', () => {
  const setup = gatewayPerTest();
  const client = () => new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const sentBodies = () => setup.upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).map((request) => request.body ?? {});

  it('keeps a multi-turn conversation going when each returned message is appended as the SDK returns it', async () => {
    setup.upstream.setDefault(wholeScenario);
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Capital of France?' }];
    const first = await client().chat.completions.create({ model: 'openai/gpt-4o', messages });
    messages.push(first.choices[0]!.message as OpenAI.ChatCompletionMessageParam, { role: 'user', content: 'And of Spain?' });
    const second = await client().chat.completions.create({ model: 'openai/gpt-4o', messages });
    expect(second.choices[0]?.message.content).to.equal('Paris is the capital of France.');

    // Streamed, with reasoning, through the SDK's own helper: finalMessage() is appended as is.
    setup.upstream.setDefault(streamScenario);
    const stream = client().chat.completions.stream({ model: 'openai/gpt-4o', messages });
    const streamed = await stream.finalMessage();
    expect(streamed.content).to.equal('Paris');
    messages.push(streamed as OpenAI.ChatCompletionMessageParam, { role: 'user', content: 'Thanks.' });
    setup.upstream.setDefault(wholeScenario);
    expect((await client().chat.completions.create({ model: 'openai/gpt-4o', messages })).choices[0]?.finish_reason).to.equal('stop');

    // Response-only fields were accepted and dropped before the call; the rest of each message went on.
    const last = sentBodies().at(-1) as { messages: Record<string, unknown>[] };
    const assistant = last.messages[1]!;
    expect(assistant).to.include({ role: 'assistant', content: 'Paris is the capital of France.' });
    for (const dropped of ['annotations', 'reasoning', 'parsed', 'refusal']) expect(assistant, dropped).not.to.have.property(dropped);
  });

  it('sends every field of a current SDK request, and passes what the gateway does not interpret through unchanged', async () => {
    setup.upstream.setDefault(wholeScenario);
    const response = await postChat(setup.gateway.url, EVERY_FIELD);
    expect(response.status, await response.clone().text()).to.equal(200);
    const sent = sentBodies()[0]!;
    for (const [field, value] of Object.entries(EVERY_FIELD)) {
      if (field === 'stream_options') continue;
      expect(sent[field], field).to.deep.equal(value);
    }
    // Host, path and headers come from configuration only, whatever the body says.
    const request = setup.upstream.requests[0]!;
    expect(request.path).to.equal('/api/v1/chat/completions');
    expect(request.headers.authorization).to.equal(`Bearer ${TEST_PROVIDER_KEY}`);
    expect(request.headers).not.to.have.property('extra_vendor_field');
  });

  it('streams with the client’s other stream options beside the gateway’s include_usage', async () => {
    setup.upstream.setDefault(streamScenario);
    await (await postChat(setup.gateway.url, { model: 'm', stream: true, stream_options: { include_obfuscation: false } })).text();
    expect(sentBodies()[0]?.stream_options).to.deep.equal({ include_obfuscation: false, include_usage: true });
  });

  for (const field of ['api_key', 'base_url', 'api_base', 'headers', 'extra_headers']) {
    it(`refuses '${field}', which would steer the gateway itself, naming it`, async () => {
      const response = await postChat(setup.gateway.url, { model: 'm', [field]: field === 'headers' || field === 'extra_headers' ? { host: 'evil.example' } : 'https://evil.example' });
      expect(response.status).to.equal(400);
      const body = (await response.json()) as { error: { code: string; param: string; message: string } };
      expect(body.error).to.include({ code: 'invalid_request', param: field });
      expect(body.error.message).to.include('steer the gateway');
      expect(setup.upstream.requests).to.have.length(0);
    });
  }

  it('says what is wrong with a file part instead of reporting missing text', async () => {
    const response = await postChat(setup.gateway.url, { model: 'm', messages: [{ role: 'user', content: [{ type: 'file' }] }] });
    expect(response.status).to.equal(400);
    const body = (await response.json()) as { error: { param: string; message: string } };
    expect(body.error.param).to.equal('messages[0].content[0].file');
    expect(body.error.message).not.to.include('text');
  });

  it('still refuses wrong types on known fields, naming the field', async () => {
    const response = await postChat(setup.gateway.url, { model: 'm', temperature: 'hot' });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).to.equal('temperature');
  });

  it('returns every field the provider sent that the gateway does not own: whole, and again from the cache', async () => {
    setup.upstream.setDefault(wholeScenario);
    for (const expectedCache of ['MISS', 'HIT']) {
      const response = await postChat(setup.gateway.url, { model: 'openai/gpt-4o', temperature: 0 });
      expect(response.headers.get('x-cache')).to.equal(expectedCache);
      const body = (await response.json()) as Record<string, unknown>;
      const { id: _id, created: _created, ...owned } = RAW_COMPLETION;
      expectNothingLost(owned, body);
      expect(body.x_gateway).to.deep.include({ provider: 'openrouter' });
    }
  });

  it('keys the cache on pass-through fields too: a different pass-through value is a different answer', async () => {
    setup.upstream.setDefault(wholeScenario);
    const ask = async (promptCacheKey: string) => (await postChat(setup.gateway.url, { model: 'm', temperature: 0, prompt_cache_key: promptCacheKey })).headers.get('x-cache');
    expect([await ask('a'), await ask('b'), await ask('a')]).to.deep.equal(['MISS', 'MISS', 'HIT']);
  });

  it('replays a cached answer as a stream with the provider’s fields on its chunks', async () => {
    setup.upstream.setDefault(wholeScenario);
    await postChat(setup.gateway.url, { model: 'openai/gpt-4o', temperature: 0 });
    const response = await postChat(setup.gateway.url, { model: 'openai/gpt-4o', temperature: 0, stream: true });
    expect(response.headers.get('x-cache')).to.equal('HIT');
    const chunks = (await response.text())
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map((event) => JSON.parse(event.slice(6)) as Record<string, unknown> & { choices: { delta: Record<string, unknown>; logprobs?: unknown }[] });
    for (const chunk of chunks) expect(chunk).to.include({ provider: 'OpenAI', system_fingerprint: 'fp_4f5ab3c' });
    expect(chunks.some((chunk) => Array.isArray(chunk.choices[0]?.delta.annotations))).to.equal(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).to.equal('Paris is the capital of France.');
  });

  it('returns every field the provider streamed that the gateway does not own, chunk by chunk', async () => {
    setup.upstream.setDefault(streamScenario);
    const text = await (await postChat(setup.gateway.url, { model: 'openai/gpt-4o', stream: true, stream_options: { include_usage: true } })).text();
    const chunks = text
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map((event) => JSON.parse(event.slice(6)) as Record<string, unknown> & { choices: Record<string, unknown>[] });
    for (const chunk of chunks) expect(chunk).to.include({ provider: 'OpenAI', system_fingerprint: 'fp_4f5ab3c', service_tier: 'default' });
    const withLogprobs = chunks.filter((chunk) => (chunk.choices[0]?.logprobs as { content?: unknown } | null | undefined)?.content !== undefined);
    expect(withLogprobs.map((chunk) => (chunk.choices[0]!.delta as { content: string }).content)).to.deep.equal(['Par', 'is']);
    expectNothingLost((RAW_CHUNKS[2]!.choices[0] as { logprobs: unknown }).logprobs, withLogprobs[0]!.choices[0]!.logprobs);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason === 'stop');
    expect(finish?.choices[0]).to.deep.include({ native_finish_reason: 'stop' });
    expectNothingLost(RAW_COMPLETION.usage, chunks.at(-1)?.usage);
    // `usage: null` on every chunk but the last, as OpenAI sends it when include_usage is set.
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).to.equal(true);
  });
});
