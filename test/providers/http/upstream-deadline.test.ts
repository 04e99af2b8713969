import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../../../src/errors.js';
import { UpstreamDeadline } from '../../../src/providers/http/upstream-deadline.js';

/** Resolves with the reason the deadline cancelled its call and when, in ms since `started`. */
function cancelled(deadline: UpstreamDeadline, started: number): Promise<{ reason: unknown; afterMs: number }> {
  return new Promise((resolve) => deadline.whenCancelled((reason) => resolve({ reason, afterMs: performance.now() - started })));
}

describe('upstream deadline', () => {
  it('waits for the first byte past a shorter silence bound, then measures silence from the headers', async () => {
    const started = performance.now();
    const deadline = new UpstreamDeadline(new AbortController().signal, { connectMs: 1000, firstByteMs: 300, idleMs: 80, totalMs: 5000 }, 'p');
    const outcome = cancelled(deadline, started);
    await sleep(200);
    expect(deadline.aborted, 'a silence bound shorter than the first-byte bound must not cut the wait for headers').to.equal(false);
    deadline.markResponseStarted();
    for (let i = 0; i < 6; i++) {
      await sleep(40);
      deadline.markProgress();
    }
    expect(deadline.aborted, 'progress every 40 ms keeps an 80 ms silence bound from firing').to.equal(false);
    const lastProgress = performance.now() - started;
    const { reason, afterMs } = await outcome;
    expect((reason as GatewayError).code).to.equal('upstream_timeout');
    expect((reason as GatewayError).message).to.equal('Provider p did not send the next event within 80 ms.');
    expect(afterMs - lastProgress).to.be.within(70, 200);
    deadline.dispose();
  });

  it('cuts the call at the first-byte bound when no headers come', async () => {
    const started = performance.now();
    const deadline = new UpstreamDeadline(new AbortController().signal, { connectMs: 1000, firstByteMs: 120, idleMs: 50, totalMs: 5000 }, 'p');
    const { reason, afterMs } = await cancelled(deadline, started);
    expect((reason as GatewayError).message).to.equal('Provider p did not respond within 120 ms.');
    expect(afterMs).to.be.within(110, 300);
    expect(deadline.timeoutError).to.equal(reason);
    deadline.dispose();
  });

  it('cuts the call at the total bound while progress keeps coming', async () => {
    const started = performance.now();
    const deadline = new UpstreamDeadline(new AbortController().signal, { connectMs: 1000, firstByteMs: 1000, idleMs: 60, totalMs: 250 }, 'p');
    const outcome = cancelled(deadline, started);
    deadline.markResponseStarted();
    const ticker = setInterval(() => deadline.markProgress(), 20);
    const { reason, afterMs } = await outcome;
    clearInterval(ticker);
    expect((reason as GatewayError).message).to.equal('Provider p did not finish within 250 ms.');
    expect(afterMs).to.be.within(240, 400);
    deadline.dispose();
  });

  it("follows the caller's signal, and a disposed deadline fires nothing", async () => {
    const caller = new AbortController();
    const deadline = new UpstreamDeadline(caller.signal, { connectMs: 1000, firstByteMs: 1000, idleMs: 1000, totalMs: 1000 }, 'p');
    const outcome = cancelled(deadline, performance.now());
    caller.abort(new Error('client left'));
    expect(((await outcome).reason as Error).message).to.equal('client left');
    expect(deadline.callerAborted).to.equal(true);
    deadline.dispose();

    const quiet = new UpstreamDeadline(new AbortController().signal, { connectMs: 1000, firstByteMs: 30, idleMs: 30, totalMs: 30 }, 'p');
    let fired = false;
    quiet.whenCancelled(() => (fired = true));
    quiet.dispose();
    await sleep(80);
    expect(fired).to.equal(false);
  });
});
