/**
 * A REST client typed from schema/openapi.yaml with openapi-typescript and openapi-fetch: a
 * completion, then a streamed completion whose SSE events are parsed with eventsource-parser and
 * typed as the spec's ChatCompletionChunk.
 */
import createClient from 'openapi-fetch';
import { createParser } from 'eventsource-parser';
import type { components, paths } from '../generated/api.js';

type Chunk = components['schemas']['ChatCompletionChunk'];
type ErrorBody = components['schemas']['ErrorResponse'];

const baseUrl = process.env.GATEWAY_URL ?? 'http://localhost:8080';
const key = process.env.GATEWAY_KEY ?? '';
const client = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${key}` } });

const { data: models } = await client.GET('/v1/models');
console.log(`models: ${models?.data.length ?? 0}`);

const { data, error } = await client.POST('/v1/chat/completions', {
  body: { model: 'deepseek/deepseek-chat', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 50 },
});
if (error !== undefined) throw new Error(`${error.error.code}: ${error.error.message}`);
// The spec's 200 is JSON or an event stream; without `stream: true` it is the JSON completion.
const completion = data as components['schemas']['ChatCompletion'];
console.log(`completion from ${completion.x_gateway.provider}: ${completion.choices[0]?.message.content} (${completion.usage?.total_tokens} tokens)`);

const response = await fetch(`${baseUrl}/v1/chat/completions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
  body: JSON.stringify({ model: 'deepseek/deepseek-chat', stream: true, messages: [{ role: 'user', content: 'Say hello' }] } satisfies components['schemas']['CreateChatCompletionRequest']),
});
let streamed = '';
let finished = false;
const parser = createParser({
  onEvent(event) {
    if (event.data === '[DONE]') {
      finished = true;
      return;
    }
    const payload = JSON.parse(event.data) as Chunk | ErrorBody;
    if ('error' in payload) throw new Error(`stream failed: ${payload.error.code}`);
    streamed += payload.choices[0]?.delta.content ?? '';
  },
});
const decoder = new TextDecoder();
for await (const bytes of response.body!) parser.feed(decoder.decode(bytes, { stream: true }));
if (!finished) throw new Error('the stream ended without [DONE]');
console.log(`streamed: ${streamed}`);
