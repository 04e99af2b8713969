import { expect } from 'chai';
import net from 'node:net';
import WebSocket from 'ws';
import { ADMIN_KEY, CHAT, CLIENT_KEY, startSecuredGateway, type SecuredSetup } from '../helpers/secured-gateway.js';

interface RestCase {
  name: string;
  method?: string;
  path?: string;
  key?: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const json = (value: unknown) => JSON.stringify(value);

const REST_CASES: RestCase[] = [
  { name: 'malformed JSON', body: '{"model": "m", "messages": [', status: 400, code: 'invalid_json' },
  { name: 'a JSON string body', body: '"hello"', status: 400, code: 'invalid_request' },
  { name: 'a JSON array body', body: '[{"model":"m"}]', status: 400, code: 'invalid_request' },
  { name: 'null body', body: 'null', status: 400, code: 'invalid_request' },
  { name: 'messages as an object', body: json({ model: 'm', messages: { role: 'user' } }), status: 400, code: 'invalid_request' },
  { name: 'a message without role', body: json({ model: 'm', messages: [{ content: 'x' }] }), status: 400, code: 'invalid_request' },
  { name: 'temperature as a string', body: json({ ...CHAT, temperature: '1' }), status: 400, code: 'invalid_request' },
  { name: 'top_p above 1', body: json({ ...CHAT, top_p: 1.5 }), status: 400, code: 'invalid_request' },
  { name: 'negative max_tokens', body: json({ ...CHAT, max_tokens: -1 }), status: 400, code: 'invalid_request' },
  { name: 'stop with five sequences', body: json({ ...CHAT, stop: ['a', 'b', 'c', 'd', 'e'] }), status: 400, code: 'invalid_request' },
  { name: 'api_base smuggled in', body: json({ ...CHAT, api_base: 'http://169.254.169.254/' }), status: 400, code: 'invalid_request' },
  { name: 'base_url smuggled in', body: json({ ...CHAT, base_url: 'http://127.0.0.1:6379/' }), status: 400, code: 'invalid_request' },
  { name: 'headers smuggled in', body: json({ ...CHAT, headers: { Authorization: 'Bearer x' } }), status: 400, code: 'invalid_request' },
  { name: 'extra_headers smuggled in', body: json({ ...CHAT, extra_headers: { 'X-Evil': '1' } }), status: 400, code: 'invalid_request' },
  { name: 'a model that is a URL', body: json({ ...CHAT, model: 'http://attacker.example/v1' }), status: 200, code: '' },
  { name: 'a model with path traversal', body: json({ ...CHAT, model: 'openrouter/../../admin' }), status: 200, code: '' },
  { name: 'a body over the size limit', body: json({ ...CHAT, messages: [{ role: 'user', content: 'x'.repeat(80_000) }] }), status: 413, code: 'payload_too_large' },
  { name: 'too many messages', body: json({ model: 'm', messages: Array.from({ length: 11 }, () => ({ role: 'user', content: 'x' })) }), status: 400, code: 'invalid_request' },
  { name: 'a message over the character limit', body: json({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(5_001) }] }), status: 400, code: 'invalid_request' },
  { name: 'max_tokens over the ceiling', body: json({ ...CHAT, max_tokens: 5_000 }), status: 400, code: 'invalid_request' },
  { name: 'text/plain content type', body: json(CHAT), headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { name: 'no key', key: '', body: json(CHAT), status: 401, code: 'unauthenticated' },
  { name: 'a wrong key', key: 'sk-not-a-real-key-0000000000', body: json(CHAT), status: 401, code: 'unauthenticated' },
  { name: 'Basic instead of Bearer', key: '', headers: { authorization: `Basic ${Buffer.from(`x:${CLIENT_KEY}`).toString('base64')}` }, body: json(CHAT), status: 401, code: 'unauthenticated' },
  { name: 'a 64 KB key', key: 'k'.repeat(64 * 1024), body: json(CHAT), status: 401, code: 'unauthenticated' },
  { name: 'admin route with a client key', method: 'GET', path: '/v1/admin/keys', body: undefined, status: 403, code: 'forbidden' },
  { name: 'provider disable with a client key', method: 'POST', path: '/v1/providers/openrouter/disable', body: undefined, status: 403, code: 'forbidden' },
  { name: 'key creation with a client key', method: 'POST', path: '/v1/admin/keys', body: json({ name: 'mine' }), status: 403, code: 'forbidden' },
  { name: 'key creation with a control character in the name', method: 'POST', path: '/v1/admin/keys', key: ADMIN_KEY, body: json({ name: 'a\nb' }), status: 400, code: 'invalid_request' },
  { name: 'key creation with unknown limits', method: 'POST', path: '/v1/admin/keys', key: ADMIN_KEY, body: json({ name: 'a', limits: { unlimited: true } }), status: 400, code: 'invalid_request' },
  { name: 'usage with a bad date', method: 'GET', path: '/v1/usage?from=2026-13-45', body: undefined, status: 400, code: 'invalid_request' },
  { name: "someone else's usage with a client key", method: 'GET', path: '/v1/usage?client=key_other', body: undefined, status: 403, code: 'forbidden' },
  { name: 'an unknown route', method: 'GET', path: '/v1/../../etc/passwd', body: undefined, status: 404, code: 'not_found' },
];

describe('bad-input corpus: every case gets its documented 4xx, and the process stays up', () => {
  let setup: SecuredSetup;

  before(async () => {
    setup = await startSecuredGateway({ MAX_BODY_BYTES: '65536', MAX_MESSAGES: '10', MAX_MESSAGE_CHARS: '5000', MAX_TOKENS_LIMIT: '4096', WS_CONNECTION_INIT_TIMEOUT_MS: '300', WS_MAX_PAYLOAD_BYTES: '65536', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', WS_MAX_CONNECTIONS_PER_CLIENT: '2', GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_ALIASES: '3' });
  });
  after(() => setup.close());
  afterEach(async () => {
    expect((await fetch(`${setup.gateway.url}/health/live`)).status, 'the process is still up').to.equal(200);
  });

  describe('REST', () => {
    for (const testCase of REST_CASES) {
      it(`${testCase.name} -> ${testCase.status} ${testCase.code}`, async () => {
        const key = testCase.key ?? CLIENT_KEY;
        const headers: Record<string, string> = { ...(testCase.body === undefined ? {} : { 'content-type': 'application/json' }), ...(key === '' ? {} : { authorization: `Bearer ${key}` }), ...testCase.headers };
        const response = await fetch(`${setup.gateway.url}${testCase.path ?? '/v1/chat/completions'}`, { method: testCase.method ?? 'POST', headers, ...(testCase.body === undefined ? {} : { body: testCase.body }) });
        expect(response.status).to.equal(testCase.status);
        if (testCase.code !== '') expect(((await response.json()) as { error: { code: string } }).error.code).to.equal(testCase.code);
        else await response.arrayBuffer();
      });
    }

    it('a model that looks like a URL never changes the upstream host or path', async () => {
      const paths = setup.upstream.requests.map((request) => request.path);
      expect(paths.every((path) => path === '/api/v1/chat/completions')).to.equal(true);
      expect(setup.upstream.requests.map((request) => request.body?.model)).to.include.members(['http://attacker.example/v1']);
    });

    for (const [name, raw, status] of [
      ['CRLF injected into the Authorization header', 'GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\rInjected: yes\r\n\r\n', 400],
      ['a header with a NUL byte', 'GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0000b\r\n\r\n', 400],
      ['headers over 128 KiB', `GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(140 * 1024)}\r\n\r\n`, 431],
      ['not HTTP at all', 'HELLO THERE\r\n\r\n', 400],
    ] as const) {
      it(`${name} -> ${status} in the documented shape`, async () => {
        const port = new URL(setup.gateway.url).port;
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(raw));
          let text = '';
          socket.on('data', (chunk) => (text += chunk.toString('utf8')));
          socket.on('close', () => resolve(text));
          socket.on('error', reject);
        });
        expect(answer.startsWith(`HTTP/1.1 ${status}`)).to.equal(true);
        expect(answer).to.match(/"code":"(invalid_request|payload_too_large)"/);
      });
    }
  });

  describe('GraphQL over HTTP', () => {
    const run = async (body: string, key = CLIENT_KEY, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
      const response = await fetch(`${setup.gateway.url}/graphql`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${key}` }, body });
      const text = await response.text();
      return { status: response.status, text, code: (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code };
    };
    const cases: [string, () => Promise<{ status: number; code: string | undefined }>, string][] = [
      ['malformed JSON', () => run('{"query": '), 'invalid_json'],
      ['a syntax error', () => run(json({ query: '{ providers { id ' })), 'invalid_request'],
      ['an unknown field', () => run(json({ query: '{ secrets }' })), 'invalid_request'],
      ['a query deeper than the limit', () => run(json({ query: 'mutation { createChatCompletion(input: { model: "m", messages: [{ role: USER, content: "x" }] }) { choices { message { toolCalls { id } } } } }' })), 'invalid_request'],
      ['fragments that expand past the field limit', () => run(json({ query: `{ ...A } fragment A on Query { ${Array.from({ length: 3 }, (_, i) => `p${i}: providers { ...B }`).join(' ')} } fragment B on Provider { ${'id kind '.repeat(400)} }` })), 'invalid_request'],
      ['too many aliases', () => run(json({ query: '{ a: health { status } b: health { status } c: health { status } d: health { status } }' })), 'invalid_request'],
      ['a batched array', () => run(json([{ query: '{ health { status } }' }, { query: '{ health { status } }' }])), 'invalid_request'],
      ['variables of the wrong type', () => run(json({ query: 'mutation($i: ChatCompletionInput!) { createChatCompletion(input: $i) { id } }', variables: { i: { model: 5, messages: 'x' } } })), 'invalid_request'],
      ['a steering provider option', () => run(json({ query: 'mutation { createChatCompletion(input: { model: "m", messages: [{ role: USER, content: "x" }], providerOptions: { api_base: "http://x" } }) { id } }' })), 'invalid_request'],
      ['an admin mutation with a client key', () => run(json({ query: 'mutation { createApiKey(name: "x") { key } }' })), 'forbidden'],
      ['no key', () => run(json({ query: '{ providers { id } }' }), 'wrong-key-wrong-key-wrong'), 'unauthenticated'],
      ['a simple form post (CSRF)', () => fetch(`${setup.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${CLIENT_KEY}` }, body: '{"query":"{ health { status } }"}' }).then(async (response) => ({ status: response.status, code: response.status === 400 ? 'invalid_request' : undefined })), 'invalid_request'],
    ];
    for (const [name, call, code] of cases) {
      it(`${name} -> ${code}`, async () => {
        const result = await call();
        expect(result.status).to.be.within(200, 499);
        expect(result.code).to.equal(code);
      });
    }
  });

  describe('graphql-ws', () => {
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(setup.gateway.wsUrl, 'graphql-transport-ws');
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    const closed = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const init = async (socket: WebSocket, payload: unknown) => {
      socket.send(json({ type: 'connection_init', payload }));
      return new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    };

    it('no connection_init within the timeout -> 4408', async () => {
      const socket = await open();
      expect(await closed(socket)).to.equal(4408);
    });

    it('a bad key in connection_init -> 4403', async () => {
      const socket = await open();
      socket.send(json({ type: 'connection_init', payload: { authorization: 'Bearer nope-nope-nope-nope-nope' } }));
      expect(await closed(socket)).to.equal(4403);
    });

    it('subscribe before connection_init -> 4401', async () => {
      const socket = await open();
      socket.send(json({ id: '1', type: 'subscribe', payload: { query: '{ health { status } }' } }));
      expect(await closed(socket)).to.equal(4401);
    });

    it('a message that is not JSON -> 4400', async () => {
      const socket = await open();
      socket.send('{{{');
      expect(await closed(socket)).to.equal(4400);
    });

    it('an oversized frame -> 1009', async () => {
      const socket = await open();
      socket.send(json({ type: 'connection_init', payload: { pad: 'x'.repeat(100 * 1024) } }));
      expect(await closed(socket)).to.equal(1009);
    });

    it('a too-deep subscription document is refused with an error message, the socket stays', async () => {
      const socket = await open();
      expect(await init(socket, { authorization: `Bearer ${CLIENT_KEY}` })).to.include('connection_ack');
      socket.send(json({ id: '1', type: 'subscribe', payload: { query: 'subscription { chatCompletionStream(input: { model: "m", messages: [{ role: USER, content: "x" }] }) { choices { delta { toolCalls { id } } } a: id b: id c: id d: id } }' } }));
      const reply = await new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
      expect(reply).to.include('"type":"error"');
      expect(reply).to.include('invalid_request');
      expect(socket.readyState).to.equal(WebSocket.OPEN);
      socket.close();
    });

    it('more connections from one client than allowed -> 4403 for the extra one', async () => {
      const sockets: WebSocket[] = [];
      for (let i = 0; i < 3; i++) {
        const socket = await open();
        sockets.push(socket);
        if (i < 2) expect(await init(socket, { authorization: `Bearer ${CLIENT_KEY}` })).to.include('connection_ack');
      }
      sockets[2]!.send(json({ type: 'connection_init', payload: { authorization: `Bearer ${CLIENT_KEY}` } }));
      expect(await closed(sockets[2]!)).to.equal(4403);
      for (const socket of sockets) socket.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
    });

    it('more subscriptions on one connection than allowed -> rate_limit_exceeded for the extra one', async () => {
      setup.upstream.setDefault(() => ({ headers: { 'content-type': 'text/event-stream' }, pieces: [': wait\n\n'], hold: true }));
      const socket = await open();
      await init(socket, { authorization: `Bearer ${CLIENT_KEY}` });
      const query = 'subscription { chatCompletionStream(input: { model: "m", messages: [{ role: USER, content: "x" }] }) { id } }';
      const replies: string[] = [];
      socket.on('message', (data) => replies.push(String(data)));
      for (const id of ['1', '2', '3']) socket.send(json({ id, type: 'subscribe', payload: { query } }));
      const deadline = Date.now() + 2000;
      while (!replies.some((reply) => reply.includes('"id":"3"')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(replies.find((reply) => reply.includes('"id":"3"'))).to.include('rate_limit_exceeded');
      socket.close();
    });
  });
});
