import { expect } from 'chai';
import { ChatStreamDecoder } from '../../src/providers/openai-compatible/events-to-stream-parts.js';
import { TextChunkTemplate } from '../../src/providers/openai-compatible/text-chunk-template.js';
import type { StreamPart } from '../../src/providers/types.js';

const chunk = (content: string, more: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'gen-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }], ...more });

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const ALPHABET = ['a', ' ', '"', '\\', '{', '}', '[', ']', ',', ':', 'n', 'u', '0', '\n', '\t', 'é', '🎉', '\u2028'];

describe('a text chunk template (chunks recognised without a full parse)', () => {
  const template = TextChunkTemplate.of(chunk('first'), 'first', undefined)!;

  it('reads the text of a chunk that differs only in its text, escapes and all', () => {
    for (const text of ['t1 ', 'say "hi"', 'back\\slash', 'line\nbreak', 'tab\there', 'é ü 日本 🎉', '\u2028', '"},"finish_reason":"stop"}]}']) {
      expect(template.match(chunk(text)), text).to.equal(text);
    }
  });

  it('does not match a chunk shaped otherwise, which is then parsed in full', () => {
    const others = [
      chunk('t', { usage: { total_tokens: 1 } }),
      chunk('t').replace('"finish_reason":null', '"finish_reason":"stop"'),
      chunk('t').replace('"id":"gen-1"', '"id":"gen-2"'),
      chunk(''),
      // A text that would close the string and add fields of its own: not one JSON string.
      chunk('x').replace('"content":"x"', '"content":"a","role":"assistant"'),
      chunk('x').replace('"content":"x"', '"content":"a\\"'),
      '{}',
      'not json',
    ];
    for (const data of others) {
      const matched = template.match(data);
      expect(matched, data).to.equal(undefined);
    }
  });

  it('agrees with a full parse on every chunk it matches, however the chunk was altered', () => {
    const next = random(19);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const expected = JSON.parse(chunk('x')) as { choices: { delta: { content: string } }[] };
    for (let round = 0; round < 3000; round++) {
      let data = chunk(Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(ALPHABET)).join(''));
      // Splice raw characters in anywhere, as a provider (or an attacker upstream) might.
      for (let edits = Math.floor(next() * 3); edits > 0; edits--) {
        const at = Math.floor(next() * data.length);
        data = data.slice(0, at) + pick(ALPHABET) + data.slice(at);
      }
      const matched = template.match(data);
      if (matched === undefined) continue;
      const parsed = JSON.parse(data) as typeof expected;
      expect(parsed.choices[0]?.delta.content, data).to.equal(matched);
      expected.choices[0]!.delta.content = matched;
      expect(parsed, data).to.deep.equal(expected);
    }
  });

  it('makes no template when the text cannot be told apart in the chunk', () => {
    expect(TextChunkTemplate.of(chunk('same', { note: { content: 'same' } }), 'same', undefined)).to.equal(undefined);
    // Escaped otherwise than JSON.stringify escapes it.
    expect(TextChunkTemplate.of(chunk('é').replace('é', '\\u00e9'), 'é', undefined)).to.equal(undefined);
  });

  it('carries the delta extras of the chunk it was made from', () => {
    const extras = { choice: { logprobs: null } };
    const withExtras = TextChunkTemplate.of(chunk('a', {}), 'a', extras)!;
    expect(withExtras.match(chunk('b'))).to.equal('b');
    expect(withExtras.extras).to.equal(extras);
  });
});

describe('a chat stream decoded chunk by chunk', () => {
  const sse = (body: Record<string, unknown>) => `data: ${JSON.stringify(body)}\n\n`;
  const base = { id: 'gen-1', object: 'chat.completion.chunk', created: 1, model: 'm' };
  const texts = ['Hel', 'lo "you"', ' \\ there', '\n日本', '!'];
  const body = [
    sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
    ...texts.slice(0, 4).map((content) => sse({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] })),
    // A chunk shaped otherwise (a field of its own) is parsed in full, and its text still counts.
    sse({ ...base, system_fingerprint: 'fp', choices: [{ index: 0, delta: { content: texts[4] }, finish_reason: null }] }),
    sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } }),
    'data: [DONE]\n\n',
  ].join('');

  it('yields the same parts however the body is cut into chunks', () => {
    const next = random(7);
    for (let round = 0; round < 50; round++) {
      const decoder = new ChatStreamDecoder({ providerId: 'p', secrets: [] }, () => undefined);
      const parts: StreamPart[] = [];
      const bytes = Buffer.from(body);
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(next() * 80);
        decoder.push(bytes.subarray(at, at + size), (part) => parts.push(part));
        at += size;
      }
      decoder.end((part) => parts.push(part));
      const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []));
      expect(text).to.deep.equal(texts);
      // Every text chunk carries only text, so each goes on as it came: the last after a full parse, the rest recognised by the template (the first by the one its role chunk foretold).
      const verbatim = parts.flatMap((part) => (part.type === 'text-delta' && part.verbatim !== undefined ? [JSON.parse(part.verbatim) as { choices: { delta: { content: string } }[] }] : []));
      expect(verbatim.map((chunk) => chunk.choices[0]?.delta.content)).to.deep.equal(texts);
      expect(parts.at(-1)).to.deep.include({ type: 'finish', finishReason: 'stop' });
      expect(parts.at(-1)).to.have.nested.property('usage.totalTokens', 8);
    }
  });

  /** Decodes one more event; counts the parses of that event's data in full (a template needs none). */
  function decodeCounting(decoder: ChatStreamDecoder, data: string, parts: StreamPart[]): { parses: number } {
    const parse = JSON.parse;
    let parses = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      // An event's data is read without the spaces around it.
      if (text === data.trim()) parses++;
      return parse(text, reviver);
    }) as typeof JSON.parse;
    try {
      decoder.push(`data: ${data}\n\n`, (part) => parts.push(part));
    } finally {
      JSON.parse = parse;
    }
    return { parses };
  }

  function decodeAfterRoleChunk(roleChunk: Record<string, unknown>, textChunk: string): { parts: StreamPart[]; parses: number } {
    const decoder = new ChatStreamDecoder({ providerId: 'p', secrets: [] }, () => undefined);
    decoder.push(sse(roleChunk), () => undefined);
    const parts: StreamPart[] = [];
    return { ...decodeCounting(decoder, textChunk, parts), parts };
  }

  it('reads the first token without a full parse when the role chunk, less its role, is the shape of the text chunks', () => {
    // DeepSeek's shape: a field the gateway does not own beside the delta, in every chunk.
    const around = { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] };
    const textChunk = JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'Hel "lo"' }, logprobs: null, finish_reason: null }] });
    const { parts, parses } = decodeAfterRoleChunk(around, textChunk);
    expect(parses).to.equal(0);
    expect(parts).to.deep.equal([{ type: 'text-delta', delta: 'Hel "lo"', extra: { choice: { logprobs: null } }, verbatim: textChunk }]);
  });

  it('parses the first token in full when the role chunk says more than the text chunks, and passes on only what they say', () => {
    // OpenAI's shape: the role chunk's delta also has a refusal the text chunks do not.
    const roleChunk = { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null }] };
    const textChunk = JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] });
    const { parts, parses } = decodeAfterRoleChunk(roleChunk, textChunk);
    expect(parses).to.equal(1);
    expect(parts).to.deep.equal([{ type: 'text-delta', delta: 'Hi', verbatim: textChunk }]);
  });

  it('makes no template of a role chunk whose text chunks the gateway must rewrite', () => {
    // Usage in every chunk, null until the last: where it goes depends on include_usage, so such chunks are never passed on as they came.
    const roleChunk = { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null };
    const textChunk = JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }], usage: null });
    const { parts, parses } = decodeAfterRoleChunk(roleChunk, textChunk);
    expect(parses).to.equal(1);
    expect(parts).to.deep.equal([{ type: 'text-delta', delta: 'Hi' }]);
  });

  it('reads a first token recognised by the role chunk as a full parse would, however the chunk was altered', () => {
    const next = random(23);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const roleChunk = { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] };
    let recognised = 0;
    for (let round = 0; round < 1500; round++) {
      let data = JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(ALPHABET)).join('') }, finish_reason: null }] });
      for (let edits = Math.floor(next() * 3); edits > 0; edits--) {
        const at = Math.floor(next() * data.length);
        data = data.slice(0, at) + pick(ALPHABET) + data.slice(at);
      }
      // A raw line break ends the SSE line: what the framer makes of that is not the template's.
      if (/[\r\n]/.test(data)) continue;
      const { parts, parses } = decodeAfterRoleChunk(roleChunk, data);
      if (parses > 0) continue;
      recognised++;
      const parsed = JSON.parse(data) as { choices: { delta: { content: string } }[] };
      const text = parsed.choices[0]!.delta.content;
      expect(parts, data).to.deep.equal([{ type: 'text-delta', delta: text, verbatim: data.trim() }]);
      expect(parsed, data).to.deep.equal({ ...base, choices: [{ index: 0, delta: { content: text }, finish_reason: null }] });
    }
    expect(recognised).to.be.greaterThan(100);
  });

  describe('with the role repeated on every text chunk, as OpenRouter sends it', () => {
    const routed = { id: 'gen-1', provider: 'DeepSeek', model: 'm', object: 'chat.completion.chunk', created: 1, system_fingerprint: null };
    const textChunk = (content: string) => JSON.stringify({ ...routed, choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null, native_finish_reason: null, logprobs: null }] });
    const withoutRole = (content: string) => JSON.stringify({ ...routed, choices: [{ index: 0, delta: { content }, finish_reason: null, native_finish_reason: null, logprobs: null }] });
    const roleChunk = JSON.parse(textChunk('')) as Record<string, unknown>;

    function decodeAfter(first: string, next: string): { parts: StreamPart[]; parses: number } {
      const decoder = new ChatStreamDecoder({ providerId: 'p', secrets: [] }, () => undefined);
      const parts: StreamPart[] = [];
      decoder.push(sse(roleChunk), () => undefined);
      decoder.push(`data: ${first}\n\n`, () => undefined);
      return { ...decodeCounting(decoder, next, parts), parts };
    }

    it('passes each text chunk on as it came but for the role, each read without a full parse', () => {
      const first = decodeAfterRoleChunk(roleChunk, textChunk('Hel'));
      expect(first.parses).to.equal(0);
      expect(first.parts).to.deep.equal([{ type: 'text-delta', delta: 'Hel', extra: { choice: { native_finish_reason: null, logprobs: null } }, verbatim: withoutRole('Hel') }]);
      for (const text of ['lo', ' "you" ', 'é 🎉']) {
        const { parts, parses } = decodeAfter(textChunk('Hel'), textChunk(text));
        expect(parses, text).to.equal(0);
        expect(parts, text).to.deep.equal([{ type: 'text-delta', delta: text, extra: { choice: { native_finish_reason: null, logprobs: null } }, verbatim: withoutRole(text) }]);
      }
    });

    it('rewrites a chunk whose role cannot be cut as a field before the text', () => {
      // The role after the text, with no comma after it: cutting the usual field would leave no valid JSON.
      const roleLast = JSON.stringify({ ...routed, choices: [{ index: 0, delta: { content: 'Hi', role: 'assistant' }, finish_reason: null }] });
      const { parts } = decodeAfterRoleChunk(roleChunk, roleLast);
      expect(parts).to.deep.equal([{ type: 'text-delta', delta: 'Hi' }]);
      // The same text earlier in a field the gateway does not own: that field is not what is cut.
      const roleElsewhere = JSON.stringify({ ...routed, meta: { role: 'assistant', n: 1 }, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] });
      expect(decodeAfterRoleChunk(roleChunk, roleElsewhere).parts).to.deep.equal([{ type: 'text-delta', delta: 'Hi' }]);
      // And so when the role chunk has that field too: its templates would cut the field.
      const roleChunkElsewhere = JSON.parse(roleElsewhere.replace('"content":"Hi"', '"content":""')) as Record<string, unknown>;
      expect(decodeAfterRoleChunk(roleChunkElsewhere, roleElsewhere).parts).to.deep.equal([{ type: 'text-delta', delta: 'Hi' }]);
    });

    for (const [madeFrom, decode] of [
      ['a text chunk', (data: string) => decodeAfter(textChunk('x'), data)],
      ['the role chunk', (data: string) => decodeAfterRoleChunk(roleChunk, data)],
    ] as const) {
      it(`reads every chunk a template made from ${madeFrom} matches as a full parse would, less the role, however the chunk was altered`, () => {
        const next = random(29);
        const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
        let recognised = 0;
        for (let round = 0; round < 1500; round++) {
          let data = textChunk(Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(ALPHABET)).join(''));
          for (let edits = Math.floor(next() * 3); edits > 0; edits--) {
            const at = Math.floor(next() * data.length);
            data = data.slice(0, at) + pick(ALPHABET) + data.slice(at);
          }
          if (/[\r\n]/.test(data)) continue;
          const { parts, parses } = decode(data);
          if (parses > 0) continue;
          recognised++;
          const parsed = JSON.parse(data) as { choices: { delta: { content: string } }[] };
          const text = parsed.choices[0]!.delta.content;
          expect(parsed, data).to.deep.equal(JSON.parse(textChunk(text)));
          expect(parts, data).to.have.length(1);
          const part = parts[0]!;
          expect(part.type === 'text-delta' ? [part.delta, JSON.parse(part.verbatim!)] : [], data).to.deep.equal([text, JSON.parse(withoutRole(text))]);
        }
        expect(recognised).to.be.greaterThan(100);
      });
    }
  });

  it('reads a body that starts with a byte order mark, as the SSE spec says to', () => {
    const decoder = new ChatStreamDecoder({ providerId: 'p', secrets: [] }, () => undefined);
    const parts: StreamPart[] = [];
    // The first event carries text, so an event lost behind the mark would show.
    const fromFirstText = body.slice(body.indexOf('\n\n') + 2);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(fromFirstText)]);
    // The mark itself split across chunks, as a TCP read may cut it.
    decoder.push(bytes.subarray(0, 2), (part) => parts.push(part));
    decoder.push(bytes.subarray(2), (part) => parts.push(part));
    decoder.end((part) => parts.push(part));
    expect(parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []))).to.deep.equal(texts);
  });

  it('ends with a truncation error when the body stops before its finish', () => {
    const decoder = new ChatStreamDecoder({ providerId: 'p', secrets: [] }, () => undefined);
    const parts: StreamPart[] = [];
    decoder.push(sse({ ...base, choices: [{ index: 0, delta: { content: 'cut' }, finish_reason: null }] }), (part) => parts.push(part));
    decoder.end((part) => parts.push(part));
    const last = parts.at(-1);
    expect(last?.type).to.equal('error');
    expect(last?.type === 'error' ? last.error.code : undefined).to.equal('upstream_stream_truncated');
  });
});
