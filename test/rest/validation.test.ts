import { expect } from 'chai';
import { connect } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

describe('REST request validation against schema/openapi.yaml', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, MAX_BODY_BYTES: '65536' });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  async function post(body: string, contentType = 'application/json'): Promise<{ status: number; body: ErrorBody }> {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, body: (await response.json()) as ErrorBody };
  }

  const valid = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
  const cases: { name: string; body: string; status: number; code: string; param?: string | null; contentType?: string }[] = [
    { name: 'malformed JSON', body: '{"model":', status: 400, code: 'invalid_json', param: null },
    { name: 'a JSON array instead of an object', body: '[1,2]', status: 400, code: 'invalid_request', param: null },
    { name: 'missing messages', body: JSON.stringify({ model: 'm' }), status: 400, code: 'invalid_request', param: 'messages' },
    { name: 'empty messages', body: JSON.stringify({ model: 'm', messages: [] }), status: 400, code: 'invalid_request', param: 'messages' },
    { name: 'temperature as a string', body: JSON.stringify({ ...valid, temperature: 'hot' }), status: 400, code: 'invalid_request', param: 'temperature' },
    { name: 'temperature out of range', body: JSON.stringify({ ...valid, temperature: 3 }), status: 400, code: 'invalid_request', param: 'temperature' },
    { name: 'an unknown role', body: JSON.stringify({ model: 'm', messages: [{ role: 'bot', content: 'x' }] }), status: 400, code: 'invalid_request', param: 'messages[0].role' },
    { name: 'content of the wrong type', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 5 }] }), status: 400, code: 'invalid_request', param: 'messages[0].content' },
    { name: 'max_tokens of zero', body: JSON.stringify({ ...valid, max_tokens: 0 }), status: 400, code: 'invalid_request', param: 'max_tokens' },
    { name: 'n above one', body: JSON.stringify({ ...valid, n: 2 }), status: 400, code: 'invalid_request', param: 'n' },
    { name: 'an upstream base URL smuggled in the body', body: JSON.stringify({ ...valid, api_base: 'http://attacker.example' }), status: 400, code: 'invalid_request', param: 'api_base' },
    { name: 'headers smuggled in the body', body: JSON.stringify({ ...valid, extra_headers: { Authorization: 'x' } }), status: 400, code: 'invalid_request', param: 'extra_headers' },
    { name: 'an empty model', body: JSON.stringify({ ...valid, model: '' }), status: 400, code: 'invalid_request', param: 'model' },
    { name: 'a text/plain body', body: JSON.stringify(valid), status: 415, code: 'unsupported_media_type', contentType: 'text/plain' },
    { name: 'a body over the size limit', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }), status: 413, code: 'payload_too_large' },
  ];

  for (const testCase of cases) {
    it(`rejects ${testCase.name} with ${testCase.status} ${testCase.code}`, async () => {
      const before = upstream.requests.length;
      const { status, body } = await post(testCase.body, testCase.contentType);
      expect(status).to.equal(testCase.status);
      expect(body.error.code).to.equal(testCase.code);
      expect(body.error.type).to.equal('invalid_request_error');
      expect(body.error.message).to.be.a('string').and.not.equal('');
      if (testCase.param !== undefined) expect(body.error.param).to.equal(testCase.param);
      expect(upstream.requests.length, 'no upstream call for a bad request').to.equal(before);
    });
  }

  describe('request bodies', () => {
    const send = async (body: Buffer | string, headers: Record<string, string>) => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      return { status: response.status, code: response.ok ? undefined : ((await response.json()) as ErrorBody).error.code };
    };

    it('accepts JSON with a UTF-8 charset, and gzip- or deflate-compressed JSON', async () => {
      expect(await send(JSON.stringify(valid), { 'content-type': 'application/json; charset=UTF-8' })).to.deep.equal({ status: 200, code: undefined });
      expect(await send(gzipSync(JSON.stringify(valid)), { 'content-encoding': 'gzip' })).to.deep.equal({ status: 200, code: undefined });
      expect(await send(deflateSync(JSON.stringify(valid)), { 'content-encoding': 'deflate' })).to.deep.equal({ status: 200, code: undefined });
    });

    it('judges a Content-Type the same each time it comes: JSON with parameters passes, another JSON-like type is a 415', async () => {
      for (let round = 0; round < 2; round++) {
        expect(await send(JSON.stringify(valid), { 'content-type': 'Application/JSON; charset=utf-8' })).to.deep.equal({ status: 200, code: undefined });
        expect(await send(JSON.stringify(valid), { 'content-type': 'application/vnd.api+json' })).to.deep.equal({ status: 415, code: 'unsupported_media_type' });
      }
    });

    it('answers a POST that says application/json but carries no body (no length, not chunked) with 415', async () => {
      const { port } = new URL(gateway.url);
      const head = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n');
        });
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(head.split('\r\n')[0]).to.equal('HTTP/1.1 415 Unsupported Media Type');
      expect(head).to.include('"code":"unsupported_media_type"');
    });

    it('refuses other charsets and unknown encodings with 415, and a corrupt gzip body with 400', async () => {
      expect(await send(JSON.stringify(valid), { 'content-type': 'application/json; charset=latin1' })).to.deep.equal({ status: 415, code: 'unsupported_media_type' });
      expect(await send(JSON.stringify(valid), { 'content-encoding': 'compress' })).to.deep.equal({ status: 415, code: 'unsupported_media_type' });
      expect(await send(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).to.deep.equal({ status: 400, code: 'invalid_request' });
    });

    it('stops reading a chunked body at the limit (no Content-Length to check first)', async () => {
      const oversized = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(200_000) }] });
      const body = new ReadableStream({
        start(controller) {
          for (let at = 0; at < oversized.length; at += 16_384) controller.enqueue(new TextEncoder().encode(oversized.slice(at, at + 16_384)));
          controller.close();
        },
      });
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
      expect(response.status).to.equal(413);
      expect(((await response.json()) as ErrorBody).error.code).to.equal('payload_too_large');
      // A compressed body is measured after decompression: a small gzip cannot smuggle in a huge one.
      expect(await send(gzipSync(oversized), { 'content-encoding': 'gzip' })).to.deep.equal({ status: 413, code: 'payload_too_large' });
      expect(await send(JSON.stringify(valid), {})).to.deep.equal({ status: 200, code: undefined });
    });
  });

  it('names the field and the expected type in the message', async () => {
    const { body } = await post(JSON.stringify({ ...valid, temperature: 'hot' }));
    expect(body.error.message).to.equal("Invalid type for 'temperature': expected number or null.");
  });

  it('answers unknown routes with 404 not_found in the same shape', async () => {
    const response = await fetch(`${gateway.url}/v1/nothing-here`);
    expect(response.status).to.equal(404);
    expect(((await response.json()) as ErrorBody).error.code).to.equal('not_found');
  });

  it('still serves after a burst of bad requests', async () => {
    await Promise.all(cases.map((testCase) => post(testCase.body, testCase.contentType)));
    const response = await fetch(`${gateway.url}/health/live`);
    expect(response.status).to.equal(200);
  });
});

describe('REST catalog endpoints', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('GET /v1/models lists provider-prefixed models and reuses the list', async () => {
    const first = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { object: string; data: { id: string; provider: string; context_length: number }[] };
    await fetch(`${gateway.url}/v1/models`);
    expect(first.object).to.equal('list');
    expect(first.data).to.deep.equal([
      { id: 'openrouter/test/model', object: 'model', created: 1_700_000_000, owned_by: 'test', provider: 'openrouter', context_length: 8192 },
    ]);
    expect(upstream.requests.filter((request) => request.path.endsWith('/models'))).to.have.length(1);
  });

  it('GET /v1/providers reports OpenRouter as available', async () => {
    const body = (await (await fetch(`${gateway.url}/v1/providers`)).json()) as { data: Record<string, unknown>[] };
    expect(body.data[0]).to.deep.equal({
      id: 'openrouter',
      kind: 'openrouter',
      configured: true,
      enabled: true,
      status: 'available',
      breaker_state: 'closed',
      missing_configuration: null,
      models: null,
      last_error: null,
      keys: ['OPENROUTER_API_KEY'],
      deployments: [],
    });
    expect(body.data[1]).to.deep.include({ id: 'deepseek', configured: false, models: ['deepseek-chat', 'deepseek-reasoner'] });
  });
});
