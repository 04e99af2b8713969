/**
 * Mocha hooks for the two set-ups many suites repeat. Each returns live getters, because the
 * values only exist once the hooks have run.
 */
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { startMultiProviderGateway, THREE_PROVIDER_CHAIN, type MultiProviderSetup } from './multi-provider-gateway.js';
import { startTestRedis, type TestRedis } from './redis-server.js';
import { startGateway, type RunningGateway } from './start-gateway.js';

/** A fresh fake upstream and a gateway pointed at it for every test, both closed after it. */
export function gatewayPerTest(env: Record<string, string> = {}): { readonly upstream: FakeUpstream; readonly gateway: RunningGateway } {
  let upstream: FakeUpstream | undefined;
  let gateway: RunningGateway | undefined;
  beforeEach(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, ...env });
  });
  afterEach(async () => {
    await gateway?.close();
    await upstream?.close();
  });
  return {
    get upstream() {
      return upstream!;
    },
    get gateway() {
      return gateway!;
    },
  };
}

/** A throwaway Redis and a fake upstream shared by a suite's tests, stopped after the last. */
export function redisAndUpstreamPerSuite(): { readonly redis: TestRedis; readonly upstream: FakeUpstream } {
  let redis: TestRedis | undefined;
  let upstream: FakeUpstream | undefined;
  before(async () => {
    redis = await startTestRedis();
    upstream = await startFakeUpstream();
  });
  after(async () => {
    await upstream?.close();
    await redis?.stop();
  });
  return {
    get redis() {
      return redis!;
    },
    get upstream() {
      return upstream!;
    },
  };
}

/** A fresh three-provider gateway (the chain most resilience suites use) for every test, closed after it. */
export function threeProvidersPerTest(env: Record<string, string> = {}): Pick<MultiProviderSetup, 'gateway' | 'upstreams'> {
  let setup: MultiProviderSetup | undefined;
  beforeEach(async () => {
    setup = await startMultiProviderGateway(THREE_PROVIDER_CHAIN, env);
  });
  afterEach(async () => setup?.close());
  return {
    get gateway() {
      return setup!.gateway;
    },
    get upstreams() {
      return setup!.upstreams;
    },
  };
}
