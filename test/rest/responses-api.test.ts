import { expect } from 'chai';
import OpenAI from 'openai';
import { errorScenario, openAiCompletion, openAiStream, openAiToolCallCompletion, openAiToolCallStream, sseScenario } from '../helpers/fake-upstream.js';
import { gatewayPerTest, threeProvidersPerTest } from '../helpers/per-test-setup.js';
import { CLIENT_KEY, startSecuredGateway } from '../helpers/secured-gateway.js';

const WEATHER_TOOL = { type: 'function' as const, name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true };

describe('Responses API (/v1/responses)', () => {
  const setup = gatewayPerTest();
  const client = () => new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const upstreamBody = (index = 0) => setup.upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))[index]?.body ?? {};

  it('answers responses.create from the official SDK through any provider, instructions and settings translated', async () => {
    setup.upstream.enqueue(openAiCompletion('Bonjour!'));
    const response = await client().responses.create({
      model: 'openai/gpt-4o-mini',
      instructions: 'Answer in French.',
      input: 'Hello',
      max_output_tokens: 64,
      temperature: 0.3,
      reasoning: { effort: 'low' },
      text: { format: { type: 'json_schema', name: 'greeting', schema: { type: 'object', properties: { text: { type: 'string' } } }, strict: true } },
      metadata: { ticket: 'T-1' },
    });
    expect(response.id).to.match(/^resp_/);
    expect(response.status).to.equal('completed');
    expect(response.output_text).to.equal('Bonjour!');
    expect(response.output[0]).to.deep.include({ type: 'message', role: 'assistant', status: 'completed' });
    expect(response.usage).to.deep.include({ input_tokens: 5, output_tokens: 2, total_tokens: 7 });
    expect(response.metadata).to.deep.equal({ ticket: 'T-1' });
    expect(upstreamBody()).to.deep.include({
      model: 'openai/gpt-4o-mini',
      max_tokens: 64,
      temperature: 0.3,
      reasoning_effort: 'low',
      response_format: { type: 'json_schema', json_schema: { name: 'greeting', schema: { type: 'object', properties: { text: { type: 'string' } } }, strict: true } },
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hello' },
      ],
    });
  });

  it('runs a function-tool round trip: function_call out, function_call_output back in', async () => {
    setup.upstream.enqueue(openAiToolCallCompletion());
    const first = await client().responses.create({ model: 'm', input: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER_TOOL], tool_choice: 'required', store: false });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).to.deep.include({ type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(upstreamBody(0).tools).to.deep.equal([{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: WEATHER_TOOL.parameters, strict: true } }]);
    expect(upstreamBody(0)).to.deep.include({ tool_choice: 'required' });

    setup.upstream.enqueue(openAiCompletion('Sunny, 21°C.'));
    const second = await client().responses.create({
      model: 'm',
      tools: [WEATHER_TOOL],
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny, 21°C' },
      ],
    });
    expect(second.output_text).to.equal('Sunny, 21°C.');
    expect(upstreamBody(1).messages).to.deep.equal([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21°C' },
    ]);
  });

  it('continues a stored conversation with previous_response_id, and retrieves and deletes it', async () => {
    setup.upstream.enqueue(openAiCompletion('Nice to meet you, Ada.'));
    const first = await client().responses.create({ model: 'm', instructions: 'Be kind.', input: 'My name is Ada.' });
    setup.upstream.enqueue(openAiCompletion('Your name is Ada.'));
    const second = await client().responses.create({ model: 'm', previous_response_id: first.id, input: 'What is my name?' });
    expect(second.previous_response_id).to.equal(first.id);
    // Instructions apply to their own turn only, as with OpenAI.
    expect(upstreamBody(1).messages).to.deep.equal([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);
    const retrieved = await client().responses.retrieve(first.id);
    expect(retrieved.output_text).to.equal('Nice to meet you, Ada.');
    await client().responses.delete(first.id);
    const gone = await fetch(`${setup.gateway.url}/v1/responses/${first.id}`);
    expect(gone.status).to.equal(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).to.equal('not_found');
  });

  it('does not store a response sent with store: false', async () => {
    setup.upstream.enqueue(openAiCompletion('not kept'));
    const response = await client().responses.create({ model: 'm', input: 'Hi', store: false });
    const follow = await fetch(`${setup.gateway.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', input: 'Again', previous_response_id: response.id }) });
    expect(follow.status).to.equal(404);
    expect(((await follow.json()) as { error: { param: string } }).error.param).to.equal('previous_response_id');
  });

  it('streams the Responses events the SDK assembles: reasoning, text deltas, completed, and stores the result', async () => {
    setup.upstream.enqueue(sseScenario(openAiStream(['Hel', 'lo'], { reasoning: ['Thinking.'], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } })));
    const stream = client().responses.stream({ model: 'm', input: 'Hi' });
    const types: string[] = [];
    const deltas: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') deltas.push(event.delta);
    }
    const final = await stream.finalResponse();
    expect(deltas).to.deep.equal(['Hel', 'lo']);
    expect(types.slice(0, 2)).to.deep.equal(['response.created', 'response.in_progress']);
    expect(types).to.include.members(['response.output_item.added', 'response.reasoning_summary_text.delta', 'response.content_part.added', 'response.output_text.done', 'response.output_item.done']);
    expect(types.at(-1)).to.equal('response.completed');
    expect(final.output_text).to.equal('Hello');
    expect(final.output.map((item) => item.type)).to.deep.equal(['reasoning', 'message']);
    expect(final.usage).to.deep.include({ input_tokens: 9, output_tokens: 4 });
    const stored = await client().responses.retrieve(final.id);
    expect(stored.output_text).to.equal('Hello');
  });

  it('streams a function call as arguments deltas the SDK assembles', async () => {
    setup.upstream.enqueue(sseScenario(openAiToolCallStream()));
    const stream = client().responses.stream({ model: 'm', input: 'Weather?', tools: [WEATHER_TOOL] });
    const argumentDeltas: string[] = [];
    for await (const event of stream) if (event.type === 'response.function_call_arguments.delta') argumentDeltas.push(event.delta);
    const final = await stream.finalResponse();
    expect(argumentDeltas).to.deep.equal(['{"city":', '"Paris"}']);
    expect(final.output[0]).to.deep.include({ type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
  });

  it('answers a bad request with 400 in the documented error shape', async () => {
    const response = await fetch(`${setup.gateway.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', input: 42 }) });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: { code: string; param: string } }).error).to.include({ code: 'invalid_request', param: 'input' });
    const empty = await fetch(`${setup.gateway.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', input: [] }) });
    expect(empty.status).to.equal(400);
    expect(setup.upstream.requests).to.have.length(0);
  });
});

describe('Responses API through the shared pipeline', () => {
  const setup = threeProvidersPerTest({ RETRY_MAX_ATTEMPTS: '1' });
  const client = () => new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });

  it('falls back along the chain before the first event', async () => {
    setup.upstreams.deepseek!.enqueue(errorScenario(503, 'busy'));
    setup.upstreams.openrouter!.enqueue(errorScenario(502, 'bad gateway'));
    setup.upstreams.local!.enqueue(sseScenario(openAiStream(['from', ' local'])));
    const { data: stream, response } = await client().responses.create({ model: 'deepseek-chat', input: 'Hi', stream: true }).withResponse();
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(response.headers.get('x-gateway-provider')).to.equal('local');
    expect(text).to.equal('from local');
  });

  it('ends a stream that fails after its first event with response.failed, never a second provider', async () => {
    setup.upstreams.deepseek!.enqueue(sseScenario(openAiStream(['Partial'], { finishReason: null, usage: null, done: false })));
    const stream = await client().responses.create({ model: 'deepseek-chat', input: 'Hi', stream: true });
    const types: string[] = [];
    let failed: { status: string; error: { code: string } | null } | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.failed') failed = event.response as unknown as { status: string; error: { code: string } | null };
    }
    expect(types).to.include('response.output_text.delta');
    expect(types.at(-1)).to.equal('response.failed');
    expect(failed?.status).to.equal('failed');
    expect(failed?.error?.code).to.equal('upstream_stream_truncated');
    expect(setup.upstreams.openrouter!.requests).to.have.length(0);
  });

  it('aborts the upstream stream when the client leaves', async () => {
    setup.upstreams.deepseek!.enqueue(sseScenario(openAiStream(['one', 'two', 'three']), 300, true));
    const stream = client().responses.stream({ model: 'deepseek-chat', input: 'Hi' });
    for await (const event of stream) if (event.type === 'response.output_text.delta') break;
    stream.abort();
    await setup.upstreams.deepseek!.waitForAbort(2_000);
  });

  it('records usage and serves temperature-0 repeats from the cache', async () => {
    setup.upstreams.deepseek!.enqueue(openAiCompletion('counted'));
    const request = { model: 'deepseek-chat', input: 'same', temperature: 0 };
    await client().responses.create(request);
    const { data, response } = await client().responses.create(request).withResponse();
    expect(response.headers.get('x-cache')).to.equal('HIT');
    expect(data.output_text).to.equal('counted');
    const usage = (await (await fetch(`${setup.gateway.url}/v1/usage?provider=deepseek`)).json()) as { totals: { requests: number; prompt_tokens: number } };
    expect(usage.totals).to.include({ prompt_tokens: 5 });
  });
});

describe('Responses API with authentication on', () => {
  it('keeps stored responses per key: another key can neither read nor continue them', async () => {
    const secured = await startSecuredGateway({ API_KEYS: `tests:${CLIENT_KEY},other:sk-other-test-key-cccccccccccc` });
    try {
      secured.upstream.enqueue(openAiCompletion('secret answer'));
      const owner = new OpenAI({ baseURL: `${secured.gateway.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
      const stored = await owner.responses.create({ model: 'm', input: 'remember this' });
      expect((await owner.responses.retrieve(stored.id)).output_text).to.equal('secret answer');
      const other = (path: string, body?: unknown) =>
        secured.call(path, { key: 'sk-other-test-key-cccccccccccc', ...(body === undefined ? {} : { body }) });
      expect((await other(`/v1/responses/${stored.id}`)).status).to.equal(404);
      expect((await other('/v1/responses', { model: 'm', input: 'and?', previous_response_id: stored.id })).status).to.equal(404);
      expect((await secured.call(`/v1/responses/${stored.id}`, { method: 'DELETE', key: 'sk-other-test-key-cccccccccccc' })).status).to.equal(404);
      expect((await owner.responses.retrieve(stored.id)).id).to.equal(stored.id);
    } finally {
      await secured.close();
    }
  });
});

describe('Responses API as Codex CLI calls it', () => {
  const setup = gatewayPerTest();

  it('takes Codex’s fields and items: reasoning items, non-function tools, include, prompt_cache_key, store: false', async () => {
    setup.upstream.enqueue(sseScenario(openAiStream(['ok'])));
    const response = await fetch(`${setup.gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer unused', originator: 'codex_cli_rs' },
      body: JSON.stringify({
        model: 'openai/gpt-5-codex',
        instructions: 'You are Codex.',
        input: [
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the bug' }] },
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Looking' }], content: null, encrypted_content: 'gAAAA' },
          { type: 'function_call', id: 'fc_1', call_id: 'call_9', name: 'shell', arguments: '{"command":["ls"]}' },
          { type: 'function_call_output', call_id: 'call_9', output: 'src\ntest' },
        ],
        tools: [
          { type: 'function', name: 'shell', description: 'Runs a command', strict: false, parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } } },
          { type: 'web_search' },
          { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } },
        ],
        tool_choice: 'auto',
        parallel_tool_calls: false,
        reasoning: { effort: 'medium', summary: 'auto' },
        store: false,
        stream: true,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'session-1',
        text: { verbosity: 'low' },
      }),
    });
    expect(response.status).to.equal(200);
    expect(await response.text()).to.include('event: response.completed');
    const body = setup.upstream.requests[0]?.body ?? {};
    expect(body).to.deep.include({ parallel_tool_calls: false, reasoning_effort: 'medium', stream: true });
    expect((body.tools as { function: { name: string } }[]).map((tool) => tool.function.name)).to.deep.equal(['shell']);
    expect(body.messages).to.deep.equal([
      { role: 'system', content: 'You are Codex.' },
      { role: 'user', content: 'Fix the bug' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } }] },
      { role: 'tool', tool_call_id: 'call_9', content: 'src\ntest' },
    ]);
  });
});
