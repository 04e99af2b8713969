import { expect } from 'chai';
import http from 'node:http';
import { createParser } from 'eventsource-parser';
import { openAiStream, sseScenario } from '../helpers/fake-upstream.js';
import { gatewayPerTest } from '../helpers/per-test-setup.js';

describe('a client that reads a stream slowly', () => {
  const setup = gatewayPerTest();

  it('gets every token in order and [DONE]: the gateway waits for its socket instead of dropping or failing', async () => {
    // 8 MB of tokens: more than loopback socket buffers hold, so the gateway's writes must wait for the reader.
    const tokens = Array.from({ length: 4000 }, (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(2000)} `);
    setup.upstream.enqueue(sseScenario(openAiStream(tokens), 0));
    const received: string[] = [];
    let done = false;
    const parser = createParser({
      onEvent: (event) => {
        if (event.data === '[DONE]') done = true;
        else {
          const content = (JSON.parse(event.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content;
          if (content !== undefined && content !== '') received.push(content);
        }
      },
    });
    await new Promise<void>((resolve, reject) => {
      const request = http.request(`${setup.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        expect(response.statusCode).to.equal(200);
        response.setEncoding('utf8');
        response.pause();
        // Not reading for a while fills every buffer between the gateway and this client.
        setTimeout(() => {
          response.on('data', (text: string) => parser.feed(text));
          response.on('end', resolve);
          response.resume();
        }, 500);
      });
      request.on('error', reject);
      request.end(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'long' }], stream: true }));
    });
    expect(done).to.equal(true);
    expect(received).to.deep.equal(tokens);
  }).timeout(20_000);
});
