import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/load-config.js';
import { GatewayError } from '../../src/errors.js';
import { createHttpAgents } from '../../src/providers/http/http-agents.js';
import { createOpenRouterProvider } from '../../src/providers/openrouter/create-openrouter-provider.js';
import type { LlmProvider, StreamPart } from '../../src/providers/types.js';

/** Sends an answer that never ends, a piece every few milliseconds: only an abort can end the call. */
function startStallingUpstream(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    const streaming = req.headers.accept === 'text/event-stream';
    res.writeHead(200, { 'content-type': streaming ? 'text/event-stream' : 'application/json' });
    res.write(streaming ? '' : '{"id":"gen-1","padding":"');
    const timer = setInterval(() => {
      res.write(streaming ? 'data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n' : 'xxxxxxxx');
    }, 3);
    res.once('close', () => clearInterval(timer));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
        close: () => server.close() && server.closeAllConnections(),
      }),
    ),
  );
}

describe('aborting an upstream call mid-body', () => {
  const agents = createHttpAgents(8);
  let upstream: Awaited<ReturnType<typeof startStallingUpstream>>;
  let provider: LlmProvider;
  const request = { model: 'm', messages: [{ role: 'user' as const, content: 'Hi' }] };

  before(async () => {
    upstream = await startStallingUpstream();
    const config = loadConfig({ OPENROUTER_API_KEY: 'sk-or-abort-test', OPENROUTER_BASE_URL: upstream.url });
    provider = createOpenRouterProvider(config.providers.find((entry) => entry.id === 'openrouter')!, agents);
  });
  after(() => {
    agents.destroy();
    upstream.close();
  });

  it('ends a stream at once with the abort reason, instead of leaving its reader waiting', async () => {
    const controller = new AbortController();
    const parts: StreamPart[] = [];
    const reading = (async () => {
      for await (const part of provider.stream(request, { signal: controller.signal, requestId: 'r' })) {
        parts.push(part);
        if (part.type === 'text-delta' && parts.length > 5) controller.abort(new GatewayError('shutting_down', 'This replica is shutting down.'));
      }
    })();
    const started = Date.now();
    await reading;
    expect(Date.now() - started).to.be.below(1_000);
    const last = parts.at(-1);
    expect(last?.type).to.equal('error');
    expect(last?.type === 'error' ? last.error.code : undefined).to.equal('shutting_down');
  });

  it('ends a whole request whose body is still arriving', async () => {
    const controller = new AbortController();
    const call = provider.complete(request, { signal: controller.signal, requestId: 'r' });
    setTimeout(() => controller.abort(new GatewayError('upstream_timeout', 'The request did not finish in time.')), 100);
    const error = await call.then(() => undefined, (failure: unknown) => failure);
    expect(error).to.be.instanceOf(GatewayError);
    expect((error as GatewayError).code).to.equal('upstream_timeout');
  });
});
