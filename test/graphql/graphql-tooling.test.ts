import { expect } from 'chai';
import { getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { collectSubscription, graphqlHttp, wsClient } from '../helpers/graphql-client.js';
import { gatewayPerTest } from '../helpers/per-test-setup.js';

describe('GraphQL tooling', () => {
  const setup = gatewayPerTest();

  it('loads the schema with the standard introspection query over HTTP, as Sandbox, GraphiQL and codegen do', async () => {
    const result = await graphqlHttp<IntrospectionQuery>(setup.gateway.url, getIntrospectionQuery());
    expect(result.errors).to.equal(undefined);
    expect(result.data?.__schema.types.some((type) => type.name === 'ChatCompletion')).to.equal(true);
  });

  it('loads the schema with the standard introspection query over graphql-ws', async () => {
    const client = wsClient(setup.gateway.wsUrl);
    try {
      const results = await collectSubscription<IntrospectionQuery>(client, getIntrospectionQuery(), {});
      expect(results[0]?.errors).to.equal(undefined);
      expect(results[0]?.data?.__schema.queryType.name).to.equal('Query');
    } finally {
      await client.dispose();
    }
  });

  it('still bounds everything that is not introspection', async () => {
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: health { status }`).join(' ')} __schema { types { name } } }`;
    const result = await graphqlHttp(setup.gateway.url, aliases);
    expect(result.errors?.[0]?.message).to.equal('Query uses too many aliases: at most 30.');
    expect(result.errors?.[0]?.extensions?.code).to.equal('invalid_request');
  });

  it('refuses a document over the token budget before validating it', async () => {
    const huge = `{ ${'health { status } '.repeat(20_000)} }`;
    const started = performance.now();
    const result = await graphqlHttp(setup.gateway.url, huge);
    expect(result.status).to.equal(400);
    expect(result.errors?.[0]?.message).to.match(/token/i);
    expect(result.errors?.[0]?.extensions?.code).to.equal('invalid_request');
    expect(performance.now() - started).to.be.below(2_000);
  });

  it('answers a subscription whose variables fail validation with invalid_request, over graphql-ws', async () => {
    const client = wsClient(setup.gateway.wsUrl);
    try {
      const outcome = await collectSubscription(
        client,
        'subscription($input: ChatCompletionInput!) { chatCompletionStream(input: $input) { choices { delta { content } } } }',
        { input: { model: 'm', messages: [{ role: 'user', content: 'Hi' }] } },
      ).then(
        (results) => results[0]?.errors?.[0],
        (errors: { message: string; extensions?: Record<string, unknown> }[]) => errors[0],
      );
      expect(outcome?.extensions?.code).to.equal('invalid_request');
      expect(outcome?.message).to.include('ChatRole');
    } finally {
      await client.dispose();
    }
  });

  it('serves queries sent as GET with a preflight header, and tells other GET clients what to do', async () => {
    const query = encodeURIComponent('{ health { status } }');
    const served = await fetch(`${setup.gateway.url}/graphql?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(served.status).to.equal(200);
    expect(((await served.json()) as { data: { health: { status: string } } }).data.health.status).to.be.a('string');
    const refused = await fetch(`${setup.gateway.url}/graphql?query=${query}`);
    expect(refused.status).to.equal(400);
    const body = (await refused.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).to.equal('invalid_request');
    expect(body.errors[0]?.message).to.include('apollo-require-preflight');
  });
});
