import { expect } from 'chai';
import { openAiCompletion, openAiStream, sseScenario, type FakeUpstream } from '../helpers/fake-upstream.js';
import { gatewayPerTest } from '../helpers/per-test-setup.js';
import { waitFor } from '../helpers/wait.js';

const chatCalls = (upstream: FakeUpstream) => upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).length;

describe('request coalescing', () => {
  const setup = gatewayPerTest();
  const post = (body: Record<string, unknown>) =>
    fetch(`${setup.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', temperature: 0, messages: [{ role: 'user', content: 'same question' }], ...body }),
    });


  it('makes one upstream call for N identical requests in flight together', async () => {
    setup.upstream.enqueue({ ...openAiCompletion('shared answer'), headerDelayMs: 300 });
    const responses = await Promise.all(Array.from({ length: 10 }, () => post({})));
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as { choices: { message: { content: string } }[] }[];
    expect(bodies.every((body) => body.choices[0]?.message.content === 'shared answer')).to.equal(true);
    expect(chatCalls(setup.upstream)).to.equal(1);
    expect(responses.filter((response) => response.headers.get('x-gateway-coalesced') === 'true')).to.have.length(9);
  });

  it('shares one upstream stream; late joiners get the chunks so far, then the rest', async () => {
    const tokens = Array.from({ length: 40 }, (_, i) => `w${i} `);
    setup.upstream.enqueue(sseScenario(openAiStream(tokens), 25));
    const read = async () => {
      const text = await (await post({ stream: true })).text();
      return text
        .split('\n\n')
        .filter((event) => event.startsWith('data: {'))
        .map((event) => (JSON.parse(event.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
        .join('');
    };
    const early = read();
    // Join once the shared call is under way: the late client arrives in the middle of the stream.
    await waitFor(() => chatCalls(setup.upstream) === 1, { what: 'the first request to reach the upstream' });
    const late = read();
    const [first, second] = await Promise.all([early, late]);
    expect(first).to.equal(tokens.join(''));
    expect(second).to.equal(tokens.join(''));
    expect(chatCalls(setup.upstream)).to.equal(1);
  });

  it('does not merge requests that may sample differently', async () => {
    setup.upstream.setDefault(() => ({ ...openAiCompletion('x'), headerDelayMs: 100 }));
    await Promise.all([post({ temperature: 1 }), post({ temperature: 1 })]);
    expect(chatCalls(setup.upstream)).to.equal(2);
  });

  it('keeps the shared call going while one client remains, and aborts it when the last leaves', async () => {
    setup.upstream.enqueue(sseScenario(openAiStream(Array.from({ length: 100 }, (_, i) => `t${i} `)), 30));
    const first = new AbortController();
    const second = new AbortController();
    const open = (controller: AbortController) =>
      fetch(`${setup.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        signal: controller.signal,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', temperature: 0, stream: true, messages: [{ role: 'user', content: 'long' }] }),
      });
    const [a, b] = await Promise.all([open(first), open(second)]);
    const readerA = a.body!.getReader();
    const readerB = b.body!.getReader();
    await readerA.read();
    await readerB.read();
    first.abort();
    // Chunks keep reaching the client that stayed, well after the other one left.
    for (let i = 0; i < 5; i++) expect((await readerB.read()).done).to.equal(false);
    expect(setup.upstream.aborts).to.have.length(0);
    const closedAt = Date.now();
    second.abort();
    const abort = await setup.upstream.waitForAbort(1000);
    expect(abort.at - closedAt).to.be.below(1000);
    expect(chatCalls(setup.upstream)).to.equal(1);
  });
});
