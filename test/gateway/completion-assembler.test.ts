import { expect } from 'chai';
import { CompletionAssembler, completionAsParts } from '../../src/gateway/completion-assembler.js';
import { partsToChunks } from '../../src/gateway/parts-to-chunks.js';
import type { StreamPart } from '../../src/providers/types.js';
import type { ChatChunk } from '../../src/vocabulary/chat-results.js';

async function* fromArray(parts: StreamPart[]): AsyncGenerator<StreamPart> {
  yield* parts;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const source = { provider: 'p', requestedModel: 'm', attempts: 1, cacheStatus: 'BYPASS' as const, includeUsageChunk: false, now: () => 1_700_000_000_000, idPrefix: 'chatcmpl' };

describe('CompletionAssembler and partsToChunks', () => {
  const parts: StreamPart[] = [
    { type: 'response-metadata', id: 'gen-1', model: 'm-2025', created: 42 },
    { type: 'reasoning-delta', delta: 'think ' },
    { type: 'text-delta', delta: 'Hel' },
    { type: 'text-delta', delta: 'lo' },
    { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'get_', argumentsDelta: '{"a"' },
    { type: 'tool-call-delta', index: 0, name: 'weather', argumentsDelta: ':1}' },
    { type: 'finish', finishReason: 'tool_calls', usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } },
  ];

  it('holds the role chunk until the first token, and carries the provider metadata on every chunk', async () => {
    const chunks = await collect(partsToChunks(fromArray(parts), source));
    expect(chunks[0]?.choices[0]?.delta).to.deep.equal({ role: 'assistant', content: '' });
    expect(chunks.every((chunk) => chunk.id === 'gen-1' && chunk.model === 'm-2025' && chunk.created === 42)).to.equal(true);
    expect(chunks.at(-1)?.usage).to.deep.equal({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
  });

  it('holds fields that came before the first token with the role chunk, and sends them after it in order', async () => {
    const logprobs = { type: 'pass-through-delta', extra: { choice: { logprobs: null } } } as const;
    const routed = { type: 'pass-through-delta', extra: { choice: { native_finish_reason: null } } } as const;
    const chunks = await collect(partsToChunks(fromArray([parts[0]!, logprobs, routed, ...parts.slice(2)]), source));
    expect(chunks.slice(0, 4).map((chunk) => [chunk.choices[0]?.delta, chunk.choices[0]?.extra])).to.deep.equal([
      [{ role: 'assistant', content: '' }, undefined],
      [{}, { logprobs: null }],
      [{}, { native_finish_reason: null }],
      [{ content: 'Hel' }, undefined],
    ]);
  });

  it('sends nothing from an attempt that failed after fields of its own but before its first token', async () => {
    const failure = { code: 'upstream_error' };
    const sent: ChatChunk[] = [];
    const failed = (async () => {
      for await (const chunk of partsToChunks(fromArray([parts[0]!, { type: 'pass-through-delta', extra: { choice: { logprobs: null } } }, { type: 'error', error: failure as never }]), source)) sent.push(chunk);
    })();
    await failed.then(
      () => expect.fail('should have thrown'),
      (error: unknown) => expect(error).to.equal(failure),
    );
    expect(sent).to.deep.equal([]);
  });

  it('commits a stream that sends many chunks of fields and no token, rather than hold them all', async () => {
    const fieldsOnly = Array.from({ length: 20 }, (_, index) => ({ type: 'pass-through-delta', extra: { choice: { seq: index } } }) as const);
    const sent: ChatChunk[] = [];
    const waiting = (async () => {
      for await (const chunk of partsToChunks(fromArray([parts[0]!, ...fieldsOnly, { type: 'error', error: new Error('late') as never }]), source)) sent.push(chunk);
    })();
    await waiting.catch(() => undefined);
    expect(sent[0]?.choices[0]?.delta).to.deep.equal({ role: 'assistant', content: '' });
    expect(sent.slice(1).map((chunk) => chunk.choices[0]?.extra)).to.deep.equal(fieldsOnly.map((part) => part.extra.choice));
  });

  it('puts usage in a chunk of its own when the client asked for include_usage', async () => {
    const chunks = await collect(partsToChunks(fromArray(parts), { ...source, includeUsageChunk: true }));
    expect(chunks.at(-2)?.choices[0]?.finishReason).to.equal('tool_calls');
    expect(chunks.at(-1)?.choices).to.deep.equal([]);
    expect(chunks.at(-1)?.usage?.totalTokens).to.equal(7);
  });

  it('throws a truncation error when the parts end without a finish', async () => {
    const cut = collect(partsToChunks(fromArray(parts.slice(0, 3)), source));
    await cut.then(
      () => expect.fail('should have thrown'),
      (error: { code?: string }) => expect(error.code).to.equal('upstream_stream_truncated'),
    );
  });

  it('reassembles the whole completion from the chunks, and replays it as the same parts', async () => {
    const assembler = new CompletionAssembler();
    const chunks: ChatChunk[] = await collect(partsToChunks(fromArray(parts), source));
    for (const chunk of chunks) assembler.add(chunk);
    const result = assembler.result();
    expect(result?.choices[0]?.message).to.deep.equal({ role: 'assistant', content: 'Hello', reasoning: 'think ', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"a":1}' }] });
    expect(result?.choices[0]?.finishReason).to.equal('tool_calls');
    const replayed = await collect(completionAsParts(result!));
    expect(replayed.at(-1)).to.deep.equal({ type: 'finish', finishReason: 'tool_calls', usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } });
  });

  it('counts the text instead of keeping it when nobody reads it, and estimates a cut stream the same either way', async () => {
    const withoutUsage = parts.filter((part) => part.type !== 'finish');
    const chunks: ChatChunk[] = await collect(partsToChunks(fromArray([...withoutUsage, { type: 'finish', finishReason: 'stop', usage: null }]), source));
    const kept = new CompletionAssembler();
    const counted = new CompletionAssembler(false);
    for (const chunk of chunks.slice(0, -1)) {
      kept.add(chunk);
      counted.add(chunk);
    }
    expect(counted.partial(3)?.usage).to.deep.equal(kept.partial(3)?.usage);
    expect(counted.partial(3)?.choices[0]?.message).to.include({ content: null, reasoning: null });
    counted.add(chunks.at(-1)!);
    expect(counted.result()?.choices[0]?.finishReason).to.equal('stop');
    expect(counted.result()?.choices[0]?.message.toolCalls).to.deep.equal([{ id: 'call_1', name: 'get_weather', arguments: '{"a":1}' }]);
  });

  it('has no result for a stream that did not finish', () => {
    const assembler = new CompletionAssembler();
    expect(assembler.result()).to.equal(undefined);
  });
});
