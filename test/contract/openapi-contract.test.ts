import { expect } from 'chai';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readOpenApiDocument } from '../../src/contract/schema-files.js';
import { errorScenario, openAiStream, openAiToolCallStream, sseScenario } from '../helpers/fake-upstream.js';
import { ADMIN_KEY, CHAT, CLIENT_KEY, startSecuredGateway, type SecuredSetup } from '../helpers/secured-gateway.js';

/**
 * Every response the running service sends, JSON bodies and each SSE event alike, must match the
 * schema the OpenAPI spec gives for that path, method and status: the spec cannot drift from
 * the server.
 */
const document = readOpenApiDocument() as unknown as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown>; $ref?: string }> }>> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = (addFormatsModule as unknown as { default: (instance: Ajv2020) => void }).default;
addFormats(ajv);
ajv.addSchema(document, 'openapi.json');
const cache = new Map<string, ValidateFunction>();

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function validatorFor(template: string, method: string, status: number, mediaType: string): ValidateFunction {
  const operation = document.paths[template]?.[method];
  if (operation === undefined) throw new Error(`${method} ${template} is not in the spec`);
  const response = operation.responses[String(status)];
  if (response === undefined) throw new Error(`${method} ${template} does not document status ${status}`);
  const pointer =
    response.$ref !== undefined
      ? `openapi.json${response.$ref}/content/${escapePointer(mediaType)}/schema`
      : `openapi.json#/paths/${escapePointer(template)}/${method}/responses/${status}/content/${escapePointer(mediaType)}/schema`;
  let validate = cache.get(pointer);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: pointer });
    cache.set(pointer, validate);
  }
  return validate;
}

function check(template: string, method: string, status: number, mediaType: string, body: unknown): void {
  const validate = validatorFor(template, method, status, mediaType);
  expect(validate(body), `${method.toUpperCase()} ${template} ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`).to.equal(true);
}

describe('OpenAPI contract: real responses match the spec', () => {
  let setup: SecuredSetup;
  const checked: string[] = [];

  // A gateway per test: the error scenarios of one would otherwise open breakers for the next.
  beforeEach(async () => {
    setup = await startSecuredGateway();
  });
  afterEach(() => setup.close());
  after(() => {
    expect(checked.length).to.be.above(15);
    expect(checked.filter((exchange) => exchange.endsWith('text/event-stream')).length).to.be.at.least(8);
  });

  async function exchange(template: string, path: string, method: string, key: string | undefined, body?: unknown): Promise<void> {
    const response = await setup.call(path, { method: method.toUpperCase(), ...(key === undefined ? {} : { key }), ...(body === undefined ? {} : { body }) });
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!;
    if (type === 'text/event-stream') {
      // OpenAI's chat streams send bare `data:` lines; Responses and Anthropic streams name each event first.
      const events = (await response.text()).split('\n\n').flatMap((block) => block.split('\n').filter((line) => line.startsWith('data: {')));
      for (const event of events) {
        const data = JSON.parse(event.slice(6)) as Record<string, unknown>;
        if ('error' in data) check(template, method, 400, 'application/json', data);
        else check(template, method, response.status, 'text/event-stream', data);
      }
    } else {
      check(template, method, response.status, type, await response.json());
    }
    checked.push(`${method} ${template} ${response.status} ${type}`);
  }

  it('chat completions: whole, streamed, with tools, and every error shape', async () => {
    await exchange('/v1/chat/completions', '/v1/chat/completions', 'post', CLIENT_KEY, CHAT);
    setup.upstream.enqueue(sseScenario(openAiStream(['a', 'b'], { reasoning: ['think'] })));
    await exchange('/v1/chat/completions', '/v1/chat/completions', 'post', CLIENT_KEY, { ...CHAT, stream: true, stream_options: { include_usage: true } });
    setup.upstream.enqueue(sseScenario(openAiStream(['cut'], { finishReason: null, usage: null, done: false })));
    await exchange('/v1/chat/completions', '/v1/chat/completions', 'post', CLIENT_KEY, { ...CHAT, stream: true });
    await exchange('/v1/chat/completions', '/v1/chat/completions', 'post', CLIENT_KEY, { model: 'm' });
    await exchange('/v1/chat/completions', '/v1/chat/completions', 'post', undefined, CHAT);
    for (const status of [401, 402, 404, 429, 503]) {
      setup.upstream.enqueue(errorScenario(status, 'no', { 'retry-after': '1' }));
      await exchange('/v1/chat/completions', '/v1/chat/completions', 'post', CLIENT_KEY, CHAT);
    }
  });

  it('Responses API: whole, streamed with reasoning and tools, failed mid-stream, stored, and its errors', async () => {
    const created = await setup.call('/v1/responses', { key: CLIENT_KEY, body: { model: 'm', input: 'Hi', metadata: { a: 'b' } } });
    expect(created.status).to.equal(200);
    const { id } = (await created.json()) as { id: string };
    await exchange('/v1/responses/{responseId}', `/v1/responses/${id}`, 'get', CLIENT_KEY);
    await exchange('/v1/responses/{responseId}', '/v1/responses/resp_unknown', 'get', CLIENT_KEY);
    setup.upstream.enqueue(sseScenario(openAiStream(['a', 'b'], { reasoning: ['think'] })));
    await exchange('/v1/responses', '/v1/responses', 'post', CLIENT_KEY, { model: 'm', input: 'Hi', stream: true });
    setup.upstream.enqueue(sseScenario(openAiToolCallStream()));
    await exchange('/v1/responses', '/v1/responses', 'post', CLIENT_KEY, { model: 'm', input: 'Hi', stream: true, tools: [{ type: 'function', name: 'get_weather' }] });
    setup.upstream.enqueue(sseScenario(openAiStream(['cut'], { finishReason: null, usage: null, done: false })));
    await exchange('/v1/responses', '/v1/responses', 'post', CLIENT_KEY, { model: 'm', input: 'Hi', stream: true });
    await exchange('/v1/responses', '/v1/responses', 'post', CLIENT_KEY, { model: 'm', input: 42 });
    await exchange('/v1/responses', '/v1/responses', 'post', CLIENT_KEY, { model: 'm', input: 'Hi', previous_response_id: 'resp_unknown' });
    await exchange('/v1/responses/{responseId}', `/v1/responses/${id}`, 'delete', CLIENT_KEY);
  });

  it('Anthropic Messages: whole, streamed with thinking and tools, failed mid-stream, token counts and errors', async () => {
    const message = { model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] };
    await exchange('/v1/messages', '/v1/messages', 'post', CLIENT_KEY, message);
    setup.upstream.enqueue(sseScenario(openAiStream(['a', 'b'], { reasoning: ['think'] })));
    await exchange('/v1/messages', '/v1/messages', 'post', CLIENT_KEY, { ...message, stream: true });
    setup.upstream.enqueue(sseScenario(openAiToolCallStream()));
    await exchange('/v1/messages', '/v1/messages', 'post', CLIENT_KEY, { ...message, stream: true, tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] });
    setup.upstream.enqueue(sseScenario(openAiStream(['cut'], { finishReason: null, usage: null, done: false })));
    await exchange('/v1/messages', '/v1/messages', 'post', CLIENT_KEY, { ...message, stream: true });
    await exchange('/v1/messages', '/v1/messages', 'post', CLIENT_KEY, { model: 'm', messages: [] });
    await exchange('/v1/messages', '/v1/messages', 'post', undefined, message);
    setup.upstream.enqueue(errorScenario(429, 'slow down', { 'retry-after': '1' }));
    await exchange('/v1/messages', '/v1/messages', 'post', CLIENT_KEY, message);
    await exchange('/v1/messages/count_tokens', '/v1/messages/count_tokens', 'post', CLIENT_KEY, { model: 'm', messages: message.messages });
  });

  it('legacy completions: whole, streamed and refused', async () => {
    const completion = { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm', choices: [{ text: 'hi', index: 0, logprobs: null, finish_reason: 'stop' }] };
    setup.upstream.enqueue({ headers: { 'content-type': 'application/json' }, pieces: [JSON.stringify({ ...completion, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })] });
    await exchange('/v1/completions', '/v1/completions', 'post', CLIENT_KEY, { model: 'm', prompt: 'Hi' });
    setup.upstream.enqueue(sseScenario([`data: ${JSON.stringify(completion)}\n\n`, 'data: [DONE]\n\n']));
    await exchange('/v1/completions', '/v1/completions', 'post', CLIENT_KEY, { model: 'm', prompt: 'Hi', stream: true });
    await exchange('/v1/completions', '/v1/completions', 'post', CLIENT_KEY, { model: 'm' });
  });

  it('catalog, health, usage and admin endpoints', async () => {
    await exchange('/v1/models', '/v1/models', 'get', CLIENT_KEY);
    await exchange('/v1/embeddings', '/v1/embeddings', 'post', CLIENT_KEY, { model: 'm', input: ['a', 'b'] });
    await exchange('/v1/embeddings', '/v1/embeddings', 'post', CLIENT_KEY, { model: 'm', input: 42 });
    await exchange('/v1/models/{model}', '/v1/models/openrouter/test/model', 'get', CLIENT_KEY);
    await exchange('/v1/models/{model}', '/v1/models/nobody/serves-this', 'get', CLIENT_KEY);
    await exchange('/v1/providers', '/v1/providers', 'get', CLIENT_KEY);
    await exchange('/v1/providers/{id}/health', '/v1/providers/openrouter/health', 'get', CLIENT_KEY);
    await exchange('/v1/providers/{id}/health', '/v1/providers/nope/health', 'get', CLIENT_KEY);
    await exchange('/v1/providers/{id}/disable', '/v1/providers/deepseek/disable', 'post', ADMIN_KEY);
    await exchange('/v1/providers/{id}/enable', '/v1/providers/deepseek/enable', 'post', ADMIN_KEY);
    await exchange('/v1/usage', '/v1/usage', 'get', CLIENT_KEY);
    await exchange('/v1/usage', '/v1/usage?from=bad', 'get', CLIENT_KEY);
    await exchange('/v1/admin/keys', '/v1/admin/keys', 'post', ADMIN_KEY, { name: 'contract', limits: { requests_per_minute: 5 } });
    await exchange('/v1/admin/keys', '/v1/admin/keys', 'get', ADMIN_KEY);
    await exchange('/v1/admin/keys', '/v1/admin/keys', 'get', CLIENT_KEY);
    await exchange('/health/live', '/health/live', 'get', undefined);
    await exchange('/health/ready', '/health/ready', 'get', undefined);
  });
});
