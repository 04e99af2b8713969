import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLIENT_KEY, startSecuredGateway, type SecuredSetup } from '../helpers/secured-gateway.js';

const run = promisify(execFile);

/** The typed client examples, generated, type-checked and run against a live gateway, as CI does. */
describe('typed client examples', function () {
  this.timeout(120_000);
  let setup: SecuredSetup;

  before(async () => {
    await run('npx', ['graphql-codegen', '--config', 'examples/graphql-client/codegen.yml']);
    await run('npx', ['openapi-typescript', 'schema/openapi.yaml', '--output', 'examples/rest-client/generated/api.ts']);
    setup = await startSecuredGateway();
  });
  after(() => setup.close());

  it('type-check against the generated types', async () => {
    const { stdout, stderr } = await run('npx', ['tsc', '-p', 'examples/tsconfig.json']);
    expect(stdout + stderr).to.equal('');
  });

  const env = () => ({ ...process.env, GATEWAY_URL: setup.gateway.url, GATEWAY_KEY: CLIENT_KEY });

  it('the GraphQL client runs a query, the mutation and the subscription', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/graphql-client/src/main.ts'], { env: env() });
    expect(stdout).to.include('health: OK; providers: openrouter=AVAILABLE');
    expect(stdout).to.include('completion from openrouter: Hello world (7 tokens)');
    expect(stdout).to.include('streamed: Hello world');
  });

  it('the REST client runs a completion and a streamed completion', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/rest-client/src/main.ts'], { env: env() });
    expect(stdout).to.include('models: 1');
    expect(stdout).to.include('completion from openrouter: Hello world (7 tokens)');
    expect(stdout).to.include('streamed: Hello world');
  });
});
