import { expect } from 'chai';
import { errorScenario, openAiStream, sseScenario } from '../helpers/fake-upstream.js';
import { waitFor } from '../helpers/wait.js';
import { postCompletion, startMultiProviderGateway, THREE_PROVIDER_CHAIN, type MultiProviderSetup } from '../helpers/multi-provider-gateway.js';


describe('circuit breakers', () => {
  let setup: MultiProviderSetup;
  const deepseekCalls = () => setup.upstreams.deepseek!.requests.filter((request) => request.path.endsWith('/chat/completions')).length;
  const breakerState = async (id: string) => {
    const body = (await (await fetch(`${setup.gateway.url}/v1/providers`)).json()) as { data: { id: string; breaker_state: string; status: string }[] };
    return body.data.find((provider) => provider.id === id);
  };

  beforeEach(async () => {
    setup = await startMultiProviderGateway(THREE_PROVIDER_CHAIN, {
      RETRY_MAX_ATTEMPTS: '1',
      BREAKER_VOLUME_THRESHOLD: '3',
      BREAKER_ERROR_THRESHOLD_PERCENT: '50',
      BREAKER_RESET_TIMEOUT_MS: '400',
    });
  });
  afterEach(() => setup.close());

  async function openDeepseekBreaker(): Promise<void> {
    setup.upstreams.deepseek!.setDefault(() => errorScenario(503, 'Server overloaded'));
    for (let i = 0; i < 3; i++) await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    expect(await breakerState('deepseek')).to.deep.include({ breaker_state: 'open', status: 'unavailable' });
  }

  it('opens after repeated failures and then fails fast with 503 providers_unavailable', async () => {
    await openDeepseekBreaker();
    const callsBefore = deepseekCalls();
    const response = await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    expect(response.status).to.equal(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('providers_unavailable');
    expect(Number(response.headers.get('retry-after'))).to.be.within(1, 1);
    // Failing fast means failing without a call: the provider never saw the request.
    expect(deepseekCalls()).to.equal(callsBefore);
    expect(setup.logs.some((line) => line.includes('circuit breaker for deepseek opened'))).to.equal(true);
  });

  it('skips an open provider in a chain straight to the next target', async () => {
    await openDeepseekBreaker();
    const callsBefore = deepseekCalls();
    const body = (await (await postCompletion(setup.gateway.url, { model: 'deepseek-chat' })).json()) as { provider: string; attempts: number };
    expect(body).to.include({ provider: 'openrouter', attempts: 1 });
    expect(deepseekCalls()).to.equal(callsBefore);
  });

  it('lets one probe through when half-open, and closes on its success', async () => {
    await openDeepseekBreaker();
    await waitFor(async () => (await breakerState('deepseek'))?.breaker_state === 'half_open', { what: 'the breaker to turn half-open' });
    setup.upstreams.deepseek!.setDefault(() => ({ headers: { 'content-type': 'application/json' }, pieces: [JSON.stringify({ id: 'x', created: 1, model: 'deepseek-reasoner', choices: [{ index: 0, message: { role: 'assistant', content: 'back' }, finish_reason: 'stop' }] })], headerDelayMs: 100 }));
    const callsBefore = deepseekCalls();
    const probing = postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    // The probe is in flight (the upstream holds its headers for 100 ms) when the second request arrives.
    await waitFor(() => deepseekCalls() > callsBefore, { what: 'the probe to reach the provider' });
    const concurrent = await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    const probe = await probing;
    expect(probe.status).to.equal(200);
    // Only one probe while half-open: the request beside it is turned away, not sent.
    expect(concurrent.status).to.equal(503);
    expect((await breakerState('deepseek'))?.breaker_state).to.equal('closed');
    expect((await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' })).status).to.equal(200);
  });

  it('opens again when the half-open probe fails', async () => {
    await openDeepseekBreaker();
    await waitFor(async () => (await breakerState('deepseek'))?.breaker_state === 'half_open', { what: 'the breaker to turn half-open' });
    const probe = await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    expect(probe.status).to.equal(502);
    expect((await breakerState('deepseek'))?.breaker_state).to.equal('open');
  });

  it('does not count client errors against the provider', async () => {
    setup.upstreams.deepseek!.setDefault(() => errorScenario(400, 'Invalid request'));
    for (let i = 0; i < 6; i++) await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    expect((await breakerState('deepseek'))?.breaker_state).to.equal('closed');
  });

  it('counts streams that fail after their first token', async () => {
    setup.upstreams.deepseek!.setDefault(() => sseScenario(openAiStream(['half'], { finishReason: null, usage: null, done: false })));
    for (let i = 0; i < 3; i++) await (await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner', stream: true })).text();
    expect((await breakerState('deepseek'))?.breaker_state).to.equal('open');
  });
});
