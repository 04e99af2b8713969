/**
 * Text chunks the provider sent in OpenAI's shape go on as the provider wrote them, with only the
 * gateway's facts added; everything the gateway owns (the stream's id, the role chunk, the finish,
 * usage, output filters) still decides what the client sees.
 */
import { expect } from 'chai';
import { createParser } from 'eventsource-parser';
import { chunkEvent, sseScenario, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { postChat } from '../helpers/http.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const BASE = { id: 'gen-v-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'test/model' };

function textChunk(content: string, more: Record<string, unknown> = {}): string {
  return chunkEvent({ ...BASE, choices: [{ index: 0, delta: { content }, finish_reason: null }], ...more });
}

function finish(usage: Record<string, unknown> = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }): string[] {
  return [chunkEvent({ ...BASE, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), chunkEvent({ ...BASE, choices: [], usage }), 'data: [DONE]\n\n'];
}

/** Each event's data as the client got it: the raw text and, but for [DONE], the parsed body. */
async function events(response: Response): Promise<{ raw: string; body: Record<string, unknown> | undefined }[]> {
  const found: { raw: string; body: Record<string, unknown> | undefined }[] = [];
  const parser = createParser({ onEvent: (event) => found.push({ raw: event.data, body: event.data === '[DONE]' ? undefined : (JSON.parse(event.data) as Record<string, unknown>) }) });
  parser.feed(await response.text());
  return found;
}

const contentOf = (body: Record<string, unknown> | undefined): unknown => (body?.choices as { delta: { content?: string } }[] | undefined)?.[0]?.delta.content;

describe('text chunks passed through as the provider wrote them', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway | undefined;
  beforeEach(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    await upstream.close();
  });

  async function stream(pieces: string[], body: Record<string, unknown> = {}, env: Record<string, string> = {}) {
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, ...env });
    upstream.enqueue(sseScenario([chunkEvent({ ...BASE, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }), ...pieces, ...finish()]));
    const response = await postChat(gateway.url, { model: 'test/model', stream: true, ...body });
    expect(response.status).to.equal(200);
    return events(response);
  }

  it('keeps the fields each chunk carried, per chunk, and adds the gateway facts', async () => {
    const got = await stream([textChunk('Hel', { obfuscation: 'aa', system_fingerprint: 'fp_1' }), textChunk('lo', { obfuscation: 'bbbb', system_fingerprint: 'fp_1' })]);
    const texts = got.filter((event) => typeof contentOf(event.body) === 'string' && contentOf(event.body) !== '');
    expect(texts.map((event) => contentOf(event.body))).to.deep.equal(['Hel', 'lo']);
    expect(texts.map((event) => event.body?.obfuscation)).to.deep.equal(['aa', 'bbbb']);
    for (const { body } of texts) {
      expect(body).to.include({ id: 'gen-v-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'test/model', system_fingerprint: 'fp_1' });
      expect(body?.x_gateway).to.deep.equal({ provider: 'openrouter', attempts: 1, cache: 'BYPASS' });
      expect(body).to.not.have.property('usage');
    }
    expect(got.at(-1)?.raw).to.equal('[DONE]');
  });

  it('writes usage: null once on each chunk when the client asked for usage, and usage on the last', async () => {
    const got = await stream([textChunk('Hi'), textChunk(' there')], { stream_options: { include_usage: true } });
    const texts = got.filter((event) => contentOf(event.body) === 'Hi' || contentOf(event.body) === ' there');
    expect(texts).to.have.length(2);
    for (const { raw, body } of texts) {
      expect(raw.match(/"usage"/g)).to.have.length(1);
      expect(body?.usage).to.equal(null);
    }
    expect(got.at(-2)?.body?.usage).to.deep.include({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  it('keeps the stream id and model of its first chunk when a later chunk names others', async () => {
    const got = await stream([textChunk('A'), chunkEvent({ ...BASE, id: 'gen-other', model: 'other/model', choices: [{ index: 0, delta: { content: 'B' }, finish_reason: null }] })]);
    const b = got.find((event) => contentOf(event.body) === 'B');
    expect(b?.body).to.include({ id: 'gen-v-1', model: 'test/model' });
  });

  it('does not send a provider chunk as it came when an output filter rewrote its text', async () => {
    const got = await stream([textChunk('mail me at someone@example.com today')], {}, { OUTPUT_REDACT: 'email' });
    const text = got.map((event) => contentOf(event.body)).filter((content) => typeof content === 'string').join('');
    expect(text).to.not.include('someone@example.com');
    expect(got.map((event) => event.raw).join('\n')).to.not.include('someone@example.com');
  });

  it('does not pass on a gateway facts field a provider sent (an upstream gateway of ours)', async () => {
    const got = await stream([textChunk('Hi', { x_gateway: { provider: 'elsewhere', attempts: 3, cache: 'HIT' } })]);
    const hi = got.find((event) => contentOf(event.body) === 'Hi');
    expect(hi?.raw.match(/"x_gateway"/g)).to.have.length(1);
    expect(hi?.body?.x_gateway).to.deep.equal({ provider: 'openrouter', attempts: 1, cache: 'BYPASS' });
  });

  it('rebuilds a chunk whose JSON the provider spread over several data lines, so each event stays one line', async () => {
    const pretty = JSON.stringify({ ...BASE, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] }, null, 2);
    const got = await stream([`${pretty.split('\n').map((line) => `data: ${line}`).join('\n')}\n\n`]);
    const hi = got.find((event) => contentOf(event.body) === 'Hi');
    expect(hi?.raw).to.not.include('\n');
    expect(hi?.body?.x_gateway).to.deep.equal({ provider: 'openrouter', attempts: 1, cache: 'BYPASS' });
  });
});
