/** A gateway with authentication on: one client key and an admin key from the environment. */
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { startGateway, type RunningGateway } from './start-gateway.js';

export const CLIENT_KEY = 'sk-client-test-key-aaaaaaaaaaaa';
export const ADMIN_KEY = 'sk-admin-test-key-bbbbbbbbbbbbbb';

export interface SecuredSetup {
  gateway: RunningGateway;
  upstream: FakeUpstream;
  call(path: string, init?: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export async function startSecuredGateway(env: Record<string, string> = {}): Promise<SecuredSetup> {
  const upstream = await startFakeUpstream();
  const gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, API_KEYS: `tests:${CLIENT_KEY}`, ADMIN_API_KEY: ADMIN_KEY, ...env });
  return {
    gateway,
    upstream,
    call: (path, init = {}) =>
      fetch(`${gateway.url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(init.key === undefined ? {} : { authorization: `Bearer ${init.key}` }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
    close: async () => {
      await gateway.close();
      await upstream.close();
    },
  };
}

export const CHAT = { model: 'm', messages: [{ role: 'user', content: 'Hi' }] };
