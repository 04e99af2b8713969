import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openAiStream, sseScenario, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { postChat } from '../helpers/http.js';
import { startGateway } from '../helpers/start-gateway.js';
import { waitFor } from '../helpers/wait.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** An OTLP/HTTP JSON collector on loopback, keeping every span it is sent. */
async function startCollector(): Promise<{ url: string; spans: OtlpSpan[]; contentTypes: string[]; close(): Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    contentTypes.push(req.headers['content-type'] ?? '');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
    for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, contentTypes, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const attribute = (span: OtlpSpan | undefined, key: string) => {
  const value = span?.attributes.find((candidate) => candidate.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
};

describe('OpenTelemetry traces and GenAI metrics', () => {
  let upstream: FakeUpstream;
  beforeEach(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(() => upstream.close());

  it('with OTEL_EXPORTER_OTLP_ENDPOINT set: a span per request, a child per upstream attempt, GenAI attributes, traceparent in and out', async function () {
    this.timeout(20_000);
    const collector = await startCollector();
    const gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'gateway-under-test' });
    try {
      const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const response = await postChat(gateway.url, { model: 'openai/gpt-4o' }, { traceparent: `00-${clientTrace}-00f067aa0ba902b7-01` });
      expect(response.status).to.equal(200);
      await gateway.close();
      await waitFor(() => collector.spans.length >= 2, { what: 'the spans to be exported' });
      const server = collector.spans.find((span) => span.kind === 2);
      const attempt = collector.spans.find((span) => span.kind === 3);
      expect(server?.name).to.equal('chat openai/gpt-4o');
      expect(server?.traceId).to.equal(clientTrace);
      expect(server?.parentSpanId).to.equal('00f067aa0ba902b7');
      expect(attribute(server, 'gen_ai.operation.name')).to.equal('chat');
      expect(attribute(server, 'gen_ai.request.model')).to.equal('openai/gpt-4o');
      expect(attribute(server, 'gen_ai.response.model')).to.equal('test/model');
      expect(attribute(server, 'gen_ai.usage.input_tokens')).to.equal(5);
      expect(attribute(server, 'gen_ai.usage.output_tokens')).to.equal(2);
      expect(attempt?.parentSpanId).to.equal(server?.spanId);
      expect(attribute(attempt, 'gen_ai.provider.name')).to.equal('openrouter');
      // The attempt's context went upstream: same trace, the attempt's span as parent.
      expect(upstream.requests[0]?.headers.traceparent).to.equal(`00-${clientTrace}-${attempt?.spanId}-01`);
      // No prompt or completion text unless LOG_CONTENT says so.
      expect(JSON.stringify(collector.spans)).not.to.include('Hi');
    } finally {
      await collector.close();
    }
  });

  it('with LOG_CONTENT on, a streamed answer\'s span carries its whole text', async function () {
    this.timeout(20_000);
    const collector = await startCollector();
    const gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, LOG_CONTENT: 'true' });
    try {
      upstream.enqueue(sseScenario(openAiStream(['Traced ', 'streamed ', 'text'])));
      const streamed = await postChat(gateway.url, { model: 'm', stream: true });
      await streamed.text();
      await gateway.close();
      await waitFor(() => collector.spans.find((span) => span.kind === 2), { what: 'the request span' });
      const server = collector.spans.find((span) => span.kind === 2);
      expect(String(attribute(server, 'gen_ai.output.messages'))).to.include('Traced streamed text');
    } finally {
      await collector.close();
    }
  });

  it('without tracing, forwards the client traceparent upstream unchanged', async () => {
    const gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url });
    try {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      await postChat(gateway.url, { model: 'm' }, { traceparent });
      expect(upstream.requests[0]?.headers.traceparent).to.equal(traceparent);
    } finally {
      await gateway.close();
    }
  });

  it('exports the GenAI metrics, a gateway-overhead histogram and header, and errors by who caused them', async () => {
    const gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url });
    try {
      const response = await postChat(gateway.url, { model: 'm' });
      expect(Number(response.headers.get('x-gateway-overhead-ms'))).to.be.within(0, 1_000);
      const streamed = await postChat(gateway.url, { model: 'm', stream: true });
      expect(Number(streamed.headers.get('x-gateway-overhead-ms'))).to.be.within(0, 1_000);
      await streamed.text();
      await postChat(gateway.url, { model: 'm', temperature: 'hot' });
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(text).to.match(/gen_ai_client_token_usage_count\{gen_ai_operation_name="chat",gen_ai_provider_name="openrouter",gen_ai_request_model="m",gen_ai_token_type="input"\} 2/);
      expect(text).to.include('gen_ai_server_time_to_first_token_seconds_count');
      expect(text).to.include('gen_ai_server_request_duration_seconds_count');
      expect(text).to.match(/gateway_overhead_seconds_count\{mode="whole"\} 1/);
      expect(text).to.match(/gateway_overhead_seconds_count\{mode="stream"\} 1/);
      expect(text).to.match(/gateway_errors_total\{code="invalid_request",fault="caller"\} 1/);
    } finally {
      await gateway.close();
    }
  });

  it('points GET / to the documentation and the endpoints', async () => {
    const gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url });
    try {
      const response = await fetch(`${gateway.url}/`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.include({ docs: '/docs', graphql: '/graphql', rest: '/v1' });
    } finally {
      await gateway.close();
    }
  });
});
