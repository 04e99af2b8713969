/**
 * Keep-alive agents shared by every provider, so a busy gateway reuses upstream TLS connections
 * instead of paying a handshake per request.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  destroy(): void;
}

export function createHttpAgents(maxSockets: number): HttpAgents {
  const options = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const httpAgent = new http.Agent(options);
  const httpsAgent = new https.Agent(options);
  return {
    http: httpAgent,
    https: httpsAgent,
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
