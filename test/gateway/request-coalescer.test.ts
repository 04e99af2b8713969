import { expect } from 'chai';
import { RequestCoalescer } from '../../src/gateway/request-coalescer.js';
import type { ChatChunk } from '../../src/vocabulary/chat-results.js';

function chunk(content: string): ChatChunk {
  return { id: 'c', created: 1, model: 'm', provider: 'p', attempts: 1, cacheStatus: 'BYPASS', choices: [{ index: 0, delta: { content }, finishReason: null }], usage: null };
}

/** A stream the test feeds by hand, recording whether its consumer aborted it. */
function manualStream() {
  const pending: ((value: ChatChunk | undefined) => void)[] = [];
  const queued: (ChatChunk | undefined)[] = [];
  let signal: AbortSignal | undefined;
  const push = (value: ChatChunk | undefined) => {
    const waiter = pending.shift();
    if (waiter !== undefined) waiter(value);
    else queued.push(value);
  };
  async function* start(abortSignal: AbortSignal): AsyncGenerator<ChatChunk> {
    signal = abortSignal;
    for (;;) {
      const value = queued.length > 0 ? queued.shift() : await new Promise<ChatChunk | undefined>((resolve) => pending.push(resolve));
      if (value === undefined) return;
      yield value;
    }
  }
  return { start, push, aborted: () => signal?.aborted === true };
}

describe('RequestCoalescer', () => {
  it('shares one call among identical requests, and only the joiners are marked coalesced', async () => {
    const coalescer = new RequestCoalescer();
    let calls = 0;
    let release: (value: string) => void = () => undefined;
    const run = () => {
      calls++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const first = coalescer.call('k', new AbortController().signal, run);
    const second = coalescer.call('k', new AbortController().signal, run);
    release('answer');
    expect(await first).to.deep.equal({ value: 'answer', coalesced: false });
    expect(await second).to.deep.equal({ value: 'answer', coalesced: true });
    expect(calls).to.equal(1);
  });

  it('aborts a shared call only when the last waiting client leaves', async () => {
    const coalescer = new RequestCoalescer();
    let callSignal: AbortSignal | undefined;
    const run = (signal: AbortSignal) => {
      callSignal = signal;
      return new Promise<string>(() => undefined);
    };
    const a = new AbortController();
    const b = new AbortController();
    const first = coalescer.call('k', a.signal, run).catch(() => 'left');
    const second = coalescer.call('k', b.signal, run).catch(() => 'left');
    a.abort();
    expect(await first).to.equal('left');
    expect(callSignal?.aborted).to.equal(false);
    b.abort();
    expect(await second).to.equal('left');
    expect(callSignal?.aborted).to.equal(true);
  });

  it('broadcasts a stream: a late joiner gets the chunks so far, then the rest', async () => {
    const coalescer = new RequestCoalescer();
    const source = manualStream();
    const early = coalescer.stream('s', new AbortController().signal, source.start);
    source.push(chunk('a'));
    const firstOfEarly = await early.chunks.next();
    const late = coalescer.stream('s', new AbortController().signal, source.start);
    expect(late.coalesced).to.equal(true);
    source.push(chunk('b'));
    source.push(undefined);
    const rest: string[] = [];
    for await (const item of early.chunks) rest.push(item.choices[0]?.delta.content ?? '');
    const lateAll: string[] = [];
    for await (const item of late.chunks) lateAll.push(item.choices[0]?.delta.content ?? '');
    expect([firstOfEarly.value?.choices[0]?.delta.content, ...rest]).to.deep.equal(['a', 'b']);
    expect(lateAll).to.deep.equal(['a', 'b']);
  });

  it('aborts a shared stream when every follower has gone', async () => {
    const coalescer = new RequestCoalescer();
    const source = manualStream();
    const follower = coalescer.stream('s', new AbortController().signal, source.start);
    source.push(chunk('a'));
    await follower.chunks.next();
    await follower.chunks.return(undefined);
    expect(source.aborted()).to.equal(true);
  });
});
