import { expect } from 'chai';
import { ModelRouter } from '../../src/gateway/model-router.js';
import { fakeProvider, fakeRegistry } from '../helpers/fake-provider.js';

describe('ModelRouter', () => {
  const registry = fakeRegistry(
    { provider: fakeProvider('openrouter') },
    { provider: fakeProvider('deepseek'), config: { models: ['deepseek-chat', 'deepseek-reasoner'] } },
  );
  const router = new ModelRouter(registry, {
    defaultProvider: 'openrouter',
    defaultModel: 'deepseek-chat',
    aliases: { fast: 'deepseek-chat' },
    fallbacks: { smart: ['deepseek/deepseek-reasoner', 'openrouter/anthropic/claude-sonnet-4'] },
    groups: {},
  });
  const names = (model: string | undefined) => router.resolve(model).map((step) => step.name);

  it('uses the default model when the request names none', () => {
    expect(names(undefined)).to.deep.equal(['deepseek/deepseek-chat']);
  });

  it('resolves aliases, then chains, then explicit provider/model', () => {
    expect(names('fast')).to.deep.equal(['deepseek/deepseek-chat']);
    expect(names('smart')).to.deep.equal(['deepseek/deepseek-reasoner', 'openrouter/anthropic/claude-sonnet-4']);
    expect(names('openrouter/openai/gpt-4o')).to.deep.equal(['openrouter/openai/gpt-4o']);
  });

  it('sends a bare name to the provider that lists it, anything else to the default provider unchanged', () => {
    expect(names('deepseek-reasoner')).to.deep.equal(['deepseek/deepseek-reasoner']);
    expect(names('openai/gpt-4o')).to.deep.equal(['openrouter/openai/gpt-4o']);
  });

  it('refuses a model outside a provider list before any call', () => {
    const strict = new ModelRouter(fakeRegistry({ provider: fakeProvider('local'), config: { models: ['llama'] } }), { defaultProvider: 'local', defaultModel: undefined, aliases: {}, fallbacks: {}, groups: {} });
    expect(() => strict.resolve('gpt-4o')).to.throw().with.property('code', 'model_not_found');
    expect(() => strict.resolve(undefined)).to.throw().with.property('param', 'model');
  });

  it('resolves a name once: later requests share its deployments, and invented names stay bounded', () => {
    const router = new ModelRouter(registry, { defaultProvider: 'openrouter', defaultModel: undefined, aliases: {}, fallbacks: {}, groups: {} });
    const first = router.resolve('deepseek-chat');
    expect(router.resolve('deepseek-chat')).to.equal(first);
    expect(router.resolve('deepseek-chat')[0]!.deployments[0]).to.equal(first[0]!.deployments[0]);
    // Any name routes to the default provider, so clients choose how many there are.
    for (let i = 0; i < 5_000; i++) router.resolve(`invented/model-${i}`);
    expect(router.routesKnown).to.be.at.most(1024);
    expect(router.resolve('deepseek-chat').map((step) => step.name)).to.deep.equal(['deepseek/deepseek-chat']);
    // A name that cannot be served is refused every time, not remembered as a route.
    const strict = new ModelRouter(fakeRegistry({ provider: fakeProvider('local'), config: { models: ['llama'] } }), { defaultProvider: 'local', defaultModel: undefined, aliases: {}, fallbacks: {}, groups: {} });
    expect(() => strict.resolve('gpt-4o')).to.throw().with.property('code', 'model_not_found');
    expect(() => strict.resolve('gpt-4o')).to.throw().with.property('code', 'model_not_found');
    expect(strict.routesKnown).to.equal(0);
  });
});
