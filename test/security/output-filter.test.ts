import { expect } from 'chai';
import { OutputFilter } from '../../src/output/output-filter.js';
import { openAiCompletion, openAiStream, sseScenario, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const config = { redactPresets: ['email', 'card', 'secret'], redactPattern: 'Project\\s+Falcon', blockPattern: 'BEGIN RSA PRIVATE KEY', holdbackChars: 64 };

describe('output filtering', () => {
  it('redacts e-mail addresses, card numbers, secrets and custom patterns', () => {
    const filter = new OutputFilter(config);
    expect(filter.filterText('Mail jane.doe@example.co.uk, card 4111 1111 1111 1111, key sk-abcdefghijklmnopqrstuv, about Project  Falcon.')).to.equal(
      'Mail [redacted email], card [redacted card], key [redacted secret], about [redacted].',
    );
  });

  it('catches a pattern split across stream chunks, and holds back no more than the window', () => {
    const stream = new OutputFilter(config).stream();
    const pieces = ['Write to ja', 'ne.doe@exa', 'mple.com ', 'please. ', 'x'.repeat(100), ' end'];
    const out = pieces.map((piece) => stream.push(piece)).join('') + stream.flush();
    expect(out).to.equal(`Write to [redacted email] please. ${'x'.repeat(100)} end`);
    const window = new OutputFilter(config).stream();
    expect(window.push('y'.repeat(200)).length).to.equal(200 - 64);
  });

  it('redacts the whole of a match that grows past the window: no tail of a key arrives in clear', () => {
    const secret = `sk-${'A'.repeat(100)}`;
    const stream = new OutputFilter({ ...config, holdbackChars: 8 }).stream();
    const out = ['key: ', secret.slice(0, 20), secret.slice(20, 60), secret.slice(60), ' done'].map((piece) => stream.push(piece)).join('') + stream.flush();
    expect(out).to.equal('key: [redacted secret] done');
  });

  it('streams exactly what the whole answer gives, for every split of the text into chunks', () => {
    const filter = new OutputFilter(config);
    const text = 'Hi jane.doe@example.com, card 4111-1111-1111-1111, key sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 on Project Falcon. Bye.';
    const whole = filter.filterText(text);
    for (let first = 1; first < text.length; first++) {
      for (let second = first + 1; second < text.length; second += 7) {
        const stream = filter.stream();
        const out = stream.push(text.slice(0, first)) + stream.push(text.slice(first, second)) + stream.push(text.slice(second)) + stream.flush();
        if (out !== whole) expect.fail(`split at ${first} and ${second}: ${out}`);
      }
    }
  });

  it('filters tool-call arguments like content, whole and streamed', async () => {
    const { filterChunks, filterResult } = await import('../../src/output/filter-chunks.js');
    const filter = new OutputFilter(config);
    const args = '{"to":"jane.doe@example.com","note":"ok"}';
    const base = { id: 'c', created: 1, model: 'm', provider: 'p', attempts: 1, cacheStatus: 'BYPASS' as const, usage: null };
    const result = filterResult(
      { ...base, choices: [{ index: 0, finishReason: 'tool_calls', message: { role: 'assistant', content: null, reasoning: null, toolCalls: [{ id: 't', name: 'send', arguments: args }] } }] },
      filter,
    );
    expect(result.choices[0]?.message.toolCalls[0]?.arguments).to.equal('{"to":"[redacted email]","note":"ok"}');
    async function* chunks() {
      for (const piece of [args.slice(0, 12), args.slice(12, 25), args.slice(25)]) {
        yield { ...base, choices: [{ index: 0, finishReason: null, delta: { toolCalls: [{ index: 0, argumentsDelta: piece }] } }] };
      }
      yield { ...base, choices: [{ index: 0, finishReason: 'tool_calls' as const, delta: {} }] };
    }
    let streamed = '';
    for await (const chunk of filterChunks(chunks(), filter)) for (const call of chunk.choices[0]?.delta.toolCalls ?? []) streamed += call.argumentsDelta ?? '';
    expect(streamed).to.equal('{"to":"[redacted email]","note":"ok"}');
  });

  it('blocks on a block rule', () => {
    expect(() => new OutputFilter(config).filterText('-----BEGIN RSA PRIVATE KEY-----')).to.throw(/output rule/);
  });

  it('holds nothing back when no rule is configured', () => {
    const filter = new OutputFilter({ redactPresets: [], redactPattern: undefined, blockPattern: undefined, holdbackChars: 64 });
    expect(filter.active).to.equal(false);
  });

  describe('through the gateway', () => {
    let upstream: FakeUpstream;
    let gateway: RunningGateway;

    beforeEach(async () => {
      upstream = await startFakeUpstream();
      gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, OUTPUT_REDACT: 'email,card', OUTPUT_BLOCK_REGEX: 'BEGIN RSA PRIVATE KEY' });
    });
    afterEach(async () => {
      await gateway.close();
      await upstream.close();
    });
    const post = (body: Record<string, unknown>) =>
      fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], ...body }) });

    it('redacts whole answers and streamed answers, even split mid-pattern', async () => {
      upstream.enqueue(openAiCompletion('Contact bob@example.com now'));
      expect(((await (await post({})).json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).to.equal('Contact [redacted email] now');
      upstream.enqueue(sseScenario(openAiStream(['Card: 4111 ', '1111 1111 ', '1111. Mail b', 'ob@examp', 'le.com.'])));
      const text = await (await post({ stream: true })).text();
      const content = text
        .split('\n\n')
        .filter((event) => event.startsWith('data: {'))
        .map((event) => (JSON.parse(event.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
        .join('');
      expect(content).to.equal('Card: [redacted card]. Mail [redacted email].');
      expect(text).not.to.include('4111');
      expect(text).to.include('[DONE]');
    });

    it('ends a stream that hits a block rule with the documented error', async () => {
      upstream.enqueue(sseScenario(openAiStream(['Here: -----BEGIN RSA ', 'PRIVATE KEY-----\nMIIE'])));
      const text = await (await post({ stream: true })).text();
      expect(text).to.include('"code":"output_blocked"');
      expect(text).not.to.include('MIIE');
      expect(text).not.to.include('[DONE]');
      upstream.enqueue(openAiCompletion('-----BEGIN RSA PRIVATE KEY-----'));
      const whole = await post({});
      expect(whole.status).to.equal(403);
    });
  });
});
