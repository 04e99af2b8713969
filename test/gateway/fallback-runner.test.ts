import { expect } from 'chai';
import { deploymentsOf, type RouteStep } from '../../src/gateway/deployments.js';
import { runWithFallback, type RunnerDeps } from '../../src/gateway/fallback-runner.js';
import type { ProviderRegistry } from '../../src/gateway/provider-registry.js';
import type { ChatResponse } from '../../src/providers/types.js';
import { fakeProvider, fakeRegistry, type FakeProvider } from '../helpers/fake-provider.js';
import { runnerDeps, testClock } from '../helpers/runner-deps.js';

describe('runWithFallback', () => {
  let a: FakeProvider;
  let b: FakeProvider;
  let registry: ProviderRegistry;
  let deps: RunnerDeps;
  const clock = testClock();
  const step = (name: string, ...providers: string[]): RouteStep => ({ name, strategy: 'weighted', deployments: providers.flatMap((id) => deploymentsOf(registry.get(id)!, 'm')) });
  const run = (steps: RouteStep[]) =>
    runWithFallback(steps, deps, { requestId: 'r', signal: new AbortController().signal, deadlineAt: clock.now() + 60_000 }, (deployment, signal) =>
      deployment.keyed.provider.complete({ model: deployment.upstreamModel, messages: [] }, { signal }),
    );
  const served = async (steps: RouteStep[]) => {
    const result = await run(steps);
    result.ticket.succeed();
    return { provider: result.deployment.provider, attempts: result.attempts, text: (result.value as ChatResponse).content };
  };

  beforeEach(() => {
    a = fakeProvider('a');
    b = fakeProvider('b');
    registry = fakeRegistry({ provider: a, config: { retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 5_000 } } }, { provider: b });
    deps = runnerDeps(registry, clock);
  });

  it('moves a retryable failure to another deployment of the same step at once', async () => {
    a.script({ error: 'upstream_unavailable' });
    expect(await served([step('group', 'a', 'b')])).to.deep.equal({ provider: 'b', attempts: 2, text: 'from b' });
    expect(a.calls).to.have.length(1);
  });

  it('retries the same deployment when it is the only one, then moves to the next step', async () => {
    a.script({ error: 'upstream_unavailable' }, { error: 'upstream_unavailable' });
    expect(await served([step('first', 'a'), step('second', 'b')])).to.deep.equal({ provider: 'b', attempts: 3, text: 'from b' });
    expect(a.calls).to.have.length(2);
  });

  it('answers a client error at once, without retry or fallback', async () => {
    a.script({ error: 'upstream_bad_request' });
    await run([step('first', 'a'), step('second', 'b')]).then(
      () => expect.fail('should have thrown'),
      (error: { code: string }) => expect(error.code).to.equal('upstream_bad_request'),
    );
    expect(b.calls).to.have.length(0);
  });

  it('counts each attempt in flight while it runs, and learns its latency only when it succeeds', async () => {
    a.script({ error: 'upstream_unavailable' });
    const [first, second] = deploymentsOf(registry.get('a')!, 'm').concat(deploymentsOf(registry.get('b')!, 'm'));
    const inFlight: number[] = [];
    const result = await runWithFallback([step('group', 'a', 'b')], deps, { requestId: 'r', signal: new AbortController().signal, deadlineAt: clock.now() + 60_000 }, (deployment, signal) => {
      inFlight.push(deps.balancer.inFlightOf(deployment.id));
      return deployment.keyed.provider.complete({ model: deployment.upstreamModel, messages: [] }, { signal });
    });
    result.ticket.succeed();
    expect(inFlight).to.deep.equal([1, 1]);
    expect([deps.balancer.inFlightOf(first!.id), deps.balancer.inFlightOf(second!.id)]).to.deep.equal([0, 0]);
    // The failed attempt says nothing about a's speed; b's answer does.
    expect(deps.balancer.latencyOf(first!.id)).to.equal(undefined);
    expect(deps.balancer.latencyOf(second!.id)).to.be.a('number');
  });

  it('a 429 cools the deployment: the next request skips it until the cooldown ends', async () => {
    a.script({ error: 'upstream_rate_limited', retryAfterSeconds: 2 });
    expect((await served([step('group', 'a', 'b')])).provider).to.equal('b');
    expect((await served([step('group', 'a', 'b')])).provider).to.equal('b');
    expect(a.calls).to.have.length(1);
    clock.advance(2_001);
    expect((await served([step('group', 'a', 'b')])).provider).to.equal('a');
  });

  it('when every deployment is open, the earliest-opened takes the request as a probe', async () => {
    a.script(...Array.from({ length: 5 }, () => ({ error: 'upstream_unavailable' as const })));
    // Five failures in a row (two requests of two attempts, and one more) open the breaker.
    for (let i = 0; i < 3; i++) await served([step('first', 'a')]).catch(() => undefined);
    expect(deps.health.breakers.state('a/m#TEST_KEY')).to.equal('open');
    expect(await served([step('first', 'a')])).to.deep.equal({ provider: 'a', attempts: 1, text: 'from a' });
    expect(deps.health.breakers.state('a/m#TEST_KEY')).to.equal('closed');
  });
});
