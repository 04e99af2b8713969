import { expect } from 'chai';
import { createHttpAgents } from '../../../src/providers/http/http-agents.js';
import { sendUpstreamRequest, type Cancellation } from '../../../src/providers/http/send-upstream-request.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';

const never: Cancellation = { aborted: false, reason: undefined, whenCancelled: () => undefined };

describe('sending an upstream request', () => {
  const agents = createHttpAgents(8, 1_000);
  let upstream: FakeUpstream;

  beforeEach(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(() => upstream.close());
  after(() => agents.destroy());

  it('reaches the URL it was given, path and query as they are, the same URL object request after request', async () => {
    const url = new URL('/v1/chat/completions?api-version=2024-10-21', upstream.url);
    for (let i = 0; i < 3; i++) {
      const response = await sendUpstreamRequest(agents, { method: 'POST', url, headers: ['Content-Type', 'application/json', 'Content-Length', '2'], body: '{}', cancellation: never });
      expect(response.status).to.equal(200);
      response.body.resume();
    }
    expect(upstream.requests.map((request) => `${request.method} ${request.path}`)).to.deep.equal(Array(3).fill('POST /v1/chat/completions?api-version=2024-10-21'));
    expect(upstream.requests[0]?.headers.host).to.equal(new URL(upstream.url).host);
  });

  it("sends a base URL's credentials as Basic auth when no Authorization header is set", async () => {
    const url = new URL('/v1/models', upstream.url);
    url.username = 'proxy%20user';
    url.password = 's3cret';
    const response = await sendUpstreamRequest(agents, { method: 'GET', url, headers: [], body: undefined, cancellation: never });
    response.body.resume();
    expect(upstream.requests.at(-1)?.path).to.equal('/v1/models');
    expect(upstream.requests.at(-1)?.headers.authorization).to.equal(`Basic ${Buffer.from('proxy user:s3cret').toString('base64')}`);
  });

  it('sends the caller\'s own Host and Authorization, in any case, instead of the ones it would add, each once', async () => {
    const url = new URL('/v1/models', upstream.url);
    url.username = 'user';
    url.password = 'pass';
    const response = await sendUpstreamRequest(agents, { method: 'GET', url, headers: ['HOST', 'proxy.internal', 'authorization', 'Bearer sk-own', 'X-Extra', 'kept'], body: undefined, cancellation: never });
    response.body.resume();
    const seen = upstream.requests.at(-1);
    expect(seen?.headers.host).to.equal('proxy.internal');
    expect(seen?.headers.authorization).to.equal('Bearer sk-own');
    expect(seen?.headers['x-extra']).to.equal('kept');
    const names = (seen?.rawHeaders ?? []).filter((_, at) => at % 2 === 0).map((name) => name.toLowerCase());
    expect(names.filter((name) => name === 'host' || name === 'authorization')).to.have.length(2);
  });
});
