import { expect } from 'chai';
import { ClientRateLimiter } from '../../src/limits/client-rate-limiter.js';
import { createLogger } from '../../src/observability/logger.js';

describe('ClientRateLimiter', () => {
  const limiter = (requestsPerMinute: number, tokensPerMinute: number) => new ClientRateLimiter({ requestsPerMinute, tokensPerMinute }, undefined, createLogger('silent'));

  it('admits a request no limit applies to at once: no promise to wait a turn for, nothing counted', async () => {
    const off = limiter(0, 0);
    const admission = off.admit('client', 1_000);
    expect(admission).not.to.be.instanceOf(Promise);
    expect(admission).to.have.property('requests', undefined);
    for (let i = 0; i < 100; i++) await off.admit('client', 1_000);
  });

  it("still counts a key's own limit when the gateway's are off", async () => {
    const off = limiter(0, 0);
    const admitting = off.admit('client', 10, { requestsPerMinute: 1 });
    expect(admitting).to.be.instanceOf(Promise);
    expect((await admitting).requests).to.include({ limit: 1, remaining: 0 });
    await Promise.resolve(off.admit('client', 10, { requestsPerMinute: 1 })).then(
      () => expect.fail('the second request in the minute should be refused'),
      (error: { code: string }) => expect(error.code).to.equal('rate_limit_exceeded'),
    );
  });
});
