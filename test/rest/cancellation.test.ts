import { expect } from 'chai';
import http from 'node:http';
import { openAiStream, sseScenario } from '../helpers/fake-upstream.js';
import { gatewayPerTest } from '../helpers/per-test-setup.js';

/** A raw request so the test controls exactly when the client socket goes away. */
function openRequest(url: string, body: unknown): { request: http.ClientRequest; firstBytes: Promise<string> } {
  const request = http.request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  const firstBytes = new Promise<string>((resolve, reject) => {
    request.on('response', (response) => response.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
    request.on('error', reject);
  });
  request.end(JSON.stringify(body));
  return { request, firstBytes };
}

describe('REST cancellation reaches the upstream', () => {
  const setup = gatewayPerTest();

  it('closing an SSE stream aborts the upstream request within a second', async () => {
    // 200 tokens, 50 ms apart: ten seconds of stream unless the abort arrives.
    setup.upstream.enqueue(sseScenario(openAiStream(Array.from({ length: 200 }, (_, i) => `t${i} `)), 50));
    const { request, firstBytes } = openRequest(setup.gateway.url, { model: 'm', messages: [{ role: 'user', content: 'long' }], stream: true });
    expect(await firstBytes).to.include('chat.completion.chunk');
    const closedAt = Date.now();
    request.destroy();
    const abort = await setup.upstream.waitForAbort(1000);
    expect(abort.at - closedAt).to.be.below(1000);
    expect(abort.path).to.equal('/api/v1/chat/completions');
  });

  it('dropping a pending non-streaming request aborts the upstream request within a second', async () => {
    setup.upstream.enqueue({ headerDelayMs: 10_000, pieces: ['{}'] });
    const { request } = openRequest(setup.gateway.url, { model: 'm', messages: [{ role: 'user', content: 'slow' }] });
    request.on('error', () => undefined);
    while (setup.upstream.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const closedAt = Date.now();
    request.destroy();
    const abort = await setup.upstream.waitForAbort(1000);
    expect(abort.at - closedAt).to.be.below(1000);
  });

  it('closing a stream that is still waiting for its first token aborts the upstream', async () => {
    setup.upstream.enqueue(sseScenario([': OPENROUTER PROCESSING\n\n'], 0, true));
    const { request } = openRequest(setup.gateway.url, { model: 'm', messages: [{ role: 'user', content: 'think' }], stream: true });
    request.on('error', () => undefined);
    while (setup.upstream.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closedAt = Date.now();
    request.destroy();
    const abort = await setup.upstream.waitForAbort(1000);
    expect(abort.at - closedAt).to.be.below(1000);
  });
});
