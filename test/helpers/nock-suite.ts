/**
 * nock patches Node's HTTP client for the whole test process as soon as it is imported, and its
 * pass-through to the real network does not reuse kept-alive sockets, which every other suite then
 * saw. It is switched on only around the suites that replay with it.
 */
import nock from 'nock';

nock.restore();

/** Mocha hooks: nock on, with no real network, for the enclosing suite only. */
export function replayWithNock(): void {
  before(() => {
    nock.activate();
    nock.disableNetConnect();
  });
  afterEach(() => nock.cleanAll());
  after(() => {
    nock.enableNetConnect();
    nock.restore();
  });
}
