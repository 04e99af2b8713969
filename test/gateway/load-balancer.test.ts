import { expect } from 'chai';
import { deploymentsOf, type Deployment, type RouteStep } from '../../src/gateway/deployments.js';
import { LoadBalancer } from '../../src/gateway/load-balancer.js';
import { fakeProvider, fakeRegistry } from '../helpers/fake-provider.js';

describe('LoadBalancer', () => {
  const registry = fakeRegistry({ provider: fakeProvider('a') }, { provider: fakeProvider('b') });
  const a = deploymentsOf(registry.get('a')!, 'm', 3)[0]!;
  const b = deploymentsOf(registry.get('b')!, 'm', 1)[0]!;
  const step = (strategy: RouteStep['strategy']): RouteStep => ({ name: 'g', strategy, deployments: [a, b] });
  const sequence = (...values: number[]) => () => values.shift() ?? 0;
  const pickIds = (balancer: LoadBalancer, strategy: RouteStep['strategy'], times: number) =>
    Array.from({ length: times }, () => balancer.pick(step(strategy), [a, b]).provider);

  it('weighted: splits by weight', () => {
    // 0.74 of the total weight 4 is 2.96 < 3: a; 0.76 is 3.04: b.
    expect(pickIds(new LoadBalancer(sequence(0.74, 0.76)), 'weighted', 2)).to.deep.equal(['a', 'b']);
  });

  it('least-busy: takes the deployment with fewer requests in flight', () => {
    const balancer = new LoadBalancer(() => 0);
    const end = balancer.begin(a);
    expect(balancer.pick(step('least-busy'), [a, b]).provider).to.equal('b');
    end();
    expect(balancer.inFlightOf(a.id)).to.equal(0);
  });

  it('lowest-latency: measures every deployment first, then takes the fastest, exploring now and then', () => {
    const balancer = new LoadBalancer(sequence(0.99, 0.99, 0.5, 0.05, 0.9));
    const observe = (deployment: Deployment, ms: number) => balancer.observeLatency(deployment, ms);
    expect(balancer.pick(step('lowest-latency'), [a, b]).provider).to.equal('b');
    observe(b, 50);
    expect(balancer.pick(step('lowest-latency'), [a, b]).provider).to.equal('a');
    observe(a, 500);
    expect(balancer.pick(step('lowest-latency'), [a, b]).provider).to.equal('b');
    // random 0.05 < 0.1 explores; the next 0.9 picks the second candidate.
    expect(balancer.pick(step('lowest-latency'), [a, b]).provider).to.equal('b');
  });
});
