import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildSchema } from 'graphql';
import { parse } from 'yaml';
import { requireBinary } from '../helpers/system-binary.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const run = promisify(execFile);
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('served documentation', function () {
  this.timeout(60_000);
  let gateway: RunningGateway;

  before(async () => {
    gateway = await startGateway({ API_KEYS: 'docs:sk-docs-client-key-000000000' });
  });
  after(() => gateway.close());

  it('serves the raw OpenAPI spec as YAML and JSON, and the SDL, without a key', async () => {
    const json = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as { openapi: string; paths: object };
    const yaml = parse(await (await fetch(`${gateway.url}/openapi.yaml`)).text()) as { openapi: string };
    expect(json.openapi).to.equal('3.1.0');
    expect(yaml).to.deep.equal(json);
    const sdl = await (await fetch(`${gateway.url}/graphql/schema.graphql`)).text();
    const schema = buildSchema(sdl);
    expect(Object.keys(schema.getMutationType()!.getFields())).to.include('createChatCompletion');
  });

  it('renders the REST reference offline in a real headless Chromium', async () => {
    requireBinary('chromium');
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-docs-'));
    const { stdout: dom } = await run('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${dir}/profile`, '--virtual-time-budget=15000', '--dump-dom', `${gateway.url}/docs`], { maxBuffer: 64 * 1024 * 1024 });
    for (const summary of ['Create a chat completion, whole or streamed', 'List the models of every configured provider', 'Create a client API key']) {
      expect(dom, summary).to.include(summary);
    }
    const screenshot = path.join(dir, 'docs.png');
    await run('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${dir}/profile2`, '--virtual-time-budget=15000', '--window-size=1280,1600', `--screenshot=${screenshot}`, `${gateway.url}/docs`]);
    expect(statSync(screenshot).size).to.be.above(20_000);
  });
});
