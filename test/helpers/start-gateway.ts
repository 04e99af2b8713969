/** Boots the real app on an ephemeral loopback port, pointed at a fake upstream. */
import type { AddressInfo } from 'node:net';
import { createApp, type AppDeps, type GatewayApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';

export const TEST_PROVIDER_KEY = 'sk-or-test-canary-7f3a9c1e5b';

export interface RunningGateway {
  url: string;
  wsUrl: string;
  app: GatewayApp;
  close(): Promise<void>;
}

export async function startGateway(env: Record<string, string | undefined> = {}, deps: AppDeps = {}): Promise<RunningGateway> {
  // One attempt per provider unless a test is about retries: error-mapping tests want the first answer.
  const config = loadConfig({ NODE_ENV: 'test', OPENROUTER_API_KEY: TEST_PROVIDER_KEY, RETRY_MAX_ATTEMPTS: '1', ...env });
  const app = await createApp(config, deps);
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    app,
    close: () => app.close(),
  };
}
