import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { openAiCompletion, openAiStream, sseScenario, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { freePort } from '../helpers/free-port.js';
import { sleep, waitFor } from '../helpers/wait.js';


describe('graceful shutdown of the real process', () => {
  let upstream: FakeUpstream;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    await upstream.close();
  });

  async function startProcess(env: Record<string, string>): Promise<{ url: string; exit: Promise<{ code: number | null; at: number }> }> {
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.DEBUG_SHUTDOWN ? 'info' : 'silent', HOST: '127.0.0.1', PORT: String(port), OPENROUTER_API_KEY: 'sk-or-shutdown-test', OPENROUTER_BASE_URL: upstream.url, ...env },
      stdio: process.env.DEBUG_SHUTDOWN ? 'inherit' : 'ignore',
    });
    const exit = new Promise<{ code: number | null; at: number }>((resolve) => child!.once('exit', (code) => resolve({ code, at: Date.now() })));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      if (await fetch(`${url}/health/live`).then(() => true, () => false)) return { url, exit };
      await sleep(50);
    }
    throw new Error('the process did not start');
  }

  it('on SIGTERM: readiness 503 at once, open SSE and subscription streams end cleanly, exit 0 within the grace period', async function () {
    this.timeout(30_000);
    const long = () => sseScenario(openAiStream(Array.from({ length: 400 }, (_, i) => `t${i} `)), 25);
    upstream.enqueue(long(), long());
    const { url, exit } = await startProcess({ SHUTDOWN_DELAY_MS: '500', SHUTDOWN_GRACE_MS: '1500' });

    const sse = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'long' }] }),
    });
    const sseText = sse.text();
    const results: { errors?: { extensions?: { code?: string } }[] }[] = [];
    let closeCode: number | undefined;
    const client = createClient({
      url: url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      // Kept open while idle, as dashboards keep it: only the server can close it then.
      lazy: false,
      onNonLazyError: () => undefined,
      on: { closed: (event) => (closeCode = (event as { code: number }).code) },
    });
    let subscriptionEnded: (value: string) => void = () => undefined;
    const subscription = new Promise<string>((resolve) => (subscriptionEnded = resolve));
    client.subscribe(
      { query: 'subscription { chatCompletionStream(input: { model: "m", messages: [{ role: USER, content: "long" }] }) { choices { delta { content } } } }' },
      { next: (value) => results.push(value as never), error: (error) => subscriptionEnded(`error: ${String((error as { code?: number }).code ?? error)}`), complete: () => subscriptionEnded('complete') },
    );
    await waitFor(() => results.length > 0, { what: 'the first subscription event' });

    const signalledAt = Date.now();
    child!.kill('SIGTERM');
    // Within the shutdown delay, while the process still answers, readiness must turn 503.
    const ready = await waitFor(async () => {
      const response = await fetch(`${url}/health/ready`);
      return response.status === 503 ? response : undefined;
    }, { timeoutMs: 450, what: 'readiness to turn 503' });
    // Each probe's body agrees with its status and says what it checks.
    expect(await ready.json()).to.include({ shutting_down: true, status: 'down' });
    const live = await fetch(`${url}/health/live`);
    expect(live.status).to.equal(200);
    expect(await live.json()).to.include({ status: 'ok' });
    // Within the shutdown delay the load balancer may still send work: it is served, not refused.
    upstream.enqueue(openAiCompletion('served during the delay'));
    const late = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'late' }] }) });
    expect(late.status).to.equal(200);

    const text = await sseText;
    expect(text).to.include('"code":"shutting_down"');
    expect(text).not.to.include('[DONE]');
    expect(await subscription).to.equal('complete');
    expect(results.at(-1)?.errors?.[0]?.extensions?.code).to.equal('shutting_down');

    const { code, at } = await exit;
    expect(code).to.equal(0);
    expect(at - signalledAt).to.be.below(500 + 1500 + 3000);
    // Every WebSocket gets a close frame: 1001 Going away, never a dropped socket (1006).
    expect(closeCode).to.equal(1001);
    await client.dispose();
  });

  it('waits for whole requests in flight at SIGTERM within the grace period, and refuses new work after the delay', async function () {
    this.timeout(30_000);
    upstream.enqueue({ ...openAiCompletion('slow but served'), headerDelayMs: 800 });
    const { url, exit } = await startProcess({ SHUTDOWN_DELAY_MS: '200', SHUTDOWN_GRACE_MS: '5000' });
    const pending = fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'slow' }] }) });
    await waitFor(() => upstream.requests.length > 0, { what: 'the request to reach the upstream' });
    child!.kill('SIGTERM');
    await sleep(400);
    const refused = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'too late' }] }) });
    expect(refused.status).to.equal(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).to.equal('shutting_down');
    const served = await pending;
    expect(served.status).to.equal(200);
    expect(((await served.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).to.equal('slow but served');
    expect((await exit).code).to.equal(0);
  });

  it('lets streams that finish within the grace period finish normally', async function () {
    this.timeout(30_000);
    upstream.enqueue(sseScenario(openAiStream(Array.from({ length: 20 }, (_, i) => `t${i} `)), 25));
    const { url, exit } = await startProcess({ SHUTDOWN_DELAY_MS: '100', SHUTDOWN_GRACE_MS: '5000' });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'short' }] }),
    });
    const text = response.text();
    child!.kill('SIGTERM');
    expect(await text).to.include('[DONE]');
    expect((await exit).code).to.equal(0);
  });
});
