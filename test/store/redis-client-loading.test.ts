import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Builds the app in a fresh process and says whether ioredis was loaded. A fresh process, because
 * this one has loaded ioredis for other tests already.
 */
async function ioredisLoaded(env: Record<string, string>): Promise<boolean> {
  const script = `
    import { createRequire } from 'node:module';
    const { loadConfig } = await import('./src/config/load-config.ts');
    const { createApp } = await import('./src/app/create-app.ts');
    const app = await createApp(loadConfig());
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/node_modules/ioredis/'));
    await app.close();
    process.stdout.write(String(loaded));
    process.exit(0);
  `;
  const { stdout } = await run(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_DISABLED: 'true', ...env },
    timeout: 30_000,
  });
  return stdout.trim() === 'true';
}

describe('the Redis client is loaded on first connection', () => {
  it('is never loaded by a replica without REDIS_URL, and is loaded by one with it', async () => {
    expect(await ioredisLoaded({})).to.equal(false);
    expect(await ioredisLoaded({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: 'test-client-loading:', REDIS_CONNECT_TIMEOUT_MS: '500' })).to.equal(true);
  }).timeout(60_000);
});
