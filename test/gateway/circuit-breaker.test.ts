import { expect } from 'chai';
import { errorScenario, openAiCompletion, openAiStream, sseScenario } from '../helpers/fake-upstream.js';
import { postCompletion, startMultiProviderGateway, THREE_PROVIDER_CHAIN, type MultiProviderSetup } from '../helpers/multi-provider-gateway.js';
import { waitFor } from '../helpers/wait.js';

interface DeploymentBody {
  id: string;
  state: string;
  failures: number;
}

describe('circuit breakers per deployment', () => {
  let setup: MultiProviderSetup;
  const deepseekCalls = () => setup.upstreams.deepseek!.requests.filter((request) => request.path.endsWith('/chat/completions')).length;
  const deployment = async (id: string): Promise<DeploymentBody | undefined> => {
    const body = (await (await fetch(`${setup.gateway.url}/v1/providers`)).json()) as { data: { deployments: DeploymentBody[] }[] };
    return body.data.flatMap((provider) => provider.deployments).find((candidate) => candidate.id === id);
  };
  const REASONER = 'deepseek/deepseek-reasoner#DEEPSEEK_API_KEY';
  const slowSuccess = () => ({ ...openAiCompletion('back'), headerDelayMs: 150 });

  beforeEach(async () => {
    setup = await startMultiProviderGateway(THREE_PROVIDER_CHAIN, {
      RETRY_MAX_ATTEMPTS: '1',
      BREAKER_VOLUME_THRESHOLD: '3',
      BREAKER_CONSECUTIVE_FAILURES: '3',
      BREAKER_ERROR_THRESHOLD_PERCENT: '50',
      BREAKER_RESET_TIMEOUT_MS: '400',
    });
  });
  afterEach(() => setup.close());

  async function openReasoner(): Promise<void> {
    setup.upstreams.deepseek!.setDefault(() => errorScenario(503, 'Server overloaded'));
    for (let i = 0; i < 3; i++) await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    expect(await deployment(REASONER)).to.deep.include({ state: 'open' });
  }

  it("opens one model's deployment and leaves the provider's other models served", async () => {
    await openReasoner();
    setup.upstreams.deepseek!.setDefault(() => openAiCompletion('chat is fine'));
    const response = await postCompletion(setup.gateway.url, { model: 'deepseek/deepseek-chat' });
    expect(response.status).to.equal(200);
    expect(response.headers.get('x-gateway-deployment')).to.equal('deepseek/deepseek-chat#DEEPSEEK_API_KEY');
    const providers = (await (await fetch(`${setup.gateway.url}/v1/providers`)).json()) as { data: { id: string; status: string }[] };
    expect(providers.data.find((provider) => provider.id === 'deepseek')?.status).to.equal('degraded');
    expect(setup.logs.some((line) => line.includes(`circuit breaker for ${REASONER} opened`))).to.equal(true);
  });

  it('when every deployment is open, the earliest-opened takes one request as a probe and the rest get 503 at once', async () => {
    await openReasoner();
    setup.upstreams.deepseek!.setDefault(slowSuccess);
    const callsBefore = deepseekCalls();
    const probing = postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    await waitFor(() => deepseekCalls() > callsBefore, { what: 'the probe to reach the provider' });
    const turnedAway = await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    expect(turnedAway.status).to.equal(503);
    expect(((await turnedAway.json()) as { error: { code: string } }).error.code).to.equal('providers_unavailable');
    expect(Number(turnedAway.headers.get('retry-after'))).to.be.at.least(1);
    expect(deepseekCalls()).to.equal(callsBefore + 1);
    expect((await probing).status).to.equal(200);
    expect((await deployment(REASONER))?.state).to.equal('closed');
  });

  it('skips an open deployment in a chain straight to the next step', async () => {
    setup.upstreams.deepseek!.setDefault(() => errorScenario(503, 'Server overloaded'));
    for (let i = 0; i < 3; i++) await postCompletion(setup.gateway.url, { model: 'deepseek/deepseek-chat' });
    const callsBefore = deepseekCalls();
    const body = (await (await postCompletion(setup.gateway.url, { model: 'deepseek-chat' })).json()) as { x_gateway: { provider: string; attempts: number } };
    expect(body.x_gateway).to.include({ provider: 'openrouter', attempts: 1 });
    expect(deepseekCalls()).to.equal(callsBefore);
  });

  it('lets one probe through when half-open, and closes on its success', async () => {
    await openReasoner();
    await waitFor(async () => (await deployment(REASONER))?.state === 'half_open', { what: 'the breaker to turn half-open' });
    setup.upstreams.deepseek!.setDefault(slowSuccess);
    const callsBefore = deepseekCalls();
    const probing = postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    await waitFor(() => deepseekCalls() > callsBefore, { what: 'the probe to reach the provider' });
    const concurrent = await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    // Only one probe while half-open: the request beside it is turned away, not sent.
    expect(concurrent.status).to.equal(503);
    expect((await probing).status).to.equal(200);
    expect((await deployment(REASONER))?.state).to.equal('closed');
    expect((await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' })).status).to.equal(200);
  });

  it('opens again when the probe fails, for twice as long', async () => {
    await openReasoner();
    await waitFor(async () => (await deployment(REASONER))?.state === 'half_open', { what: 'the breaker to turn half-open' });
    const probe = await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    expect(probe.status).to.equal(502);
    expect((await deployment(REASONER))?.state).to.equal('open');
    expect(setup.logs.some((line) => line.includes('"openMs":800'))).to.equal(true);
  });

  it('a probe the client abandons decides nothing: the next request probes again', async () => {
    await openReasoner();
    await waitFor(async () => (await deployment(REASONER))?.state === 'half_open', { what: 'the breaker to turn half-open' });
    setup.upstreams.deepseek!.setDefault(() => ({ ...openAiCompletion('late'), headerDelayMs: 2_000 }));
    const callsBefore = deepseekCalls();
    const leaving = new AbortController();
    const abandoned = fetch(`${setup.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      signal: leaving.signal,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-reasoner', messages: [{ role: 'user', content: 'Hi' }] }),
    }).catch(() => undefined);
    await waitFor(() => deepseekCalls() > callsBefore, { what: 'the probe to reach the provider' });
    leaving.abort();
    await abandoned;
    await waitFor(async () => (await deployment(REASONER))?.state === 'half_open', { what: 'the breaker to be half-open again' });
    setup.upstreams.deepseek!.setDefault(() => openAiCompletion('back'));
    expect((await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' })).status).to.equal(200);
    expect((await deployment(REASONER))?.state).to.equal('closed');
  });

  it('a burst of client errors opens nothing', async () => {
    setup.upstreams.deepseek!.setDefault(() => errorScenario(400, 'Invalid request'));
    for (let i = 0; i < 12; i++) await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    expect((await deployment(REASONER))?.state).to.equal('closed');
  });

  it('counts streams that fail after their first token', async () => {
    setup.upstreams.deepseek!.setDefault(() => sseScenario(openAiStream(['half'], { finishReason: null, usage: null, done: false })));
    for (let i = 0; i < 3; i++) await (await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner', stream: true })).text();
    expect((await deployment(REASONER))?.state).to.equal('open');
  });

  it('a streamed probe closes the breaker at its first token, not at the end of the answer', async () => {
    await openReasoner();
    await waitFor(async () => (await deployment(REASONER))?.state === 'half_open', { what: 'the breaker to turn half-open' });
    setup.upstreams.deepseek!.setDefault(() => sseScenario(openAiStream(Array.from({ length: 40 }, (_, i) => `t${i} `)), 50));
    const response = await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner', stream: true });
    const reader = response.body!.getReader();
    await reader.read();
    expect((await deployment(REASONER))?.state).to.equal('closed');
    await reader.cancel();
  });
});
