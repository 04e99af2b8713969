import { expect } from 'chai';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { MemoryCacheStore } from '../../src/cache/cache-store.js';

describe('cache keys', () => {
  const cache = new ResponseCache({ enabled: true, ttlSeconds: 60, cacheNondeterministic: false, maxEntryBytes: 1024, memoryMaxEntries: 10 }, new MemoryCacheStore(10));
  const command = { model: 'm', temperature: 0, messages: [{ role: 'user' as const, content: 'Hi' }], providerOptions: { provider: { order: ['A', 'B'] } } };

  it('isolates tenants', () => {
    expect(cache.key('tenant-a', ['openrouter/m'], command)).not.to.equal(cache.key('tenant-b', ['openrouter/m'], command));
  });

  it('ignores what does not change the answer, and the order of object keys', () => {
    const reordered = { providerOptions: { provider: { order: ['A', 'B'] } }, messages: command.messages, temperature: 0, model: 'alias', user: 'someone' };
    expect(cache.key('t', ['openrouter/m'], reordered)).to.equal(cache.key('t', ['openrouter/m'], command));
  });

  it('changes with the resolved targets and with list order', () => {
    expect(cache.key('t', ['deepseek/m'], command)).not.to.equal(cache.key('t', ['openrouter/m'], command));
    const otherOrder = { ...command, providerOptions: { provider: { order: ['B', 'A'] } } };
    expect(cache.key('t', ['openrouter/m'], otherOrder)).not.to.equal(cache.key('t', ['openrouter/m'], command));
  });

  it('evicts the least recently used entry from the in-process store', async () => {
    const store = new MemoryCacheStore(2);
    await store.set('a', '1', 60);
    await store.set('b', '2', 60);
    await store.get('a');
    await store.set('c', '3', 60);
    expect(await store.get('b')).to.equal(undefined);
    expect(await store.get('a')).to.equal('1');
  });
});
