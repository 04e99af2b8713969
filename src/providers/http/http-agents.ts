/**
 * Keep-alive agents for one provider, so a busy gateway reuses upstream TLS connections instead of
 * paying a handshake per request, and a connect that hangs is cut off after `connectMs`.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

export interface HttpAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  destroy(): void;
}

/** The error code of a connect timeout, mapped to `upstream_timeout`. */
export const CONNECT_TIMEOUT_CODE = 'UPSTREAM_CONNECT_TIMEOUT';

type CreateConnection = (options: unknown, callback?: (error: Error | null, socket: Socket) => void) => Socket;

/** Wraps the agent's socket factory: a socket not connected within `connectMs` is destroyed. */
export function limitConnectTime<T extends http.Agent>(agent: T, connectMs: number, connectedEvent: 'connect' | 'secureConnect'): T {
  const target = agent as unknown as { createConnection: CreateConnection };
  const create = target.createConnection.bind(agent);
  target.createConnection = (options, callback) => {
    const socket = create(options, callback);
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`connect timed out after ${connectMs} ms`), { code: CONNECT_TIMEOUT_CODE });
      socket.destroy(error);
    }, connectMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    socket.once(connectedEvent, clear);
    socket.once('close', clear);
    return socket;
  };
  return agent;
}

/**
 * Every socket a burst opened is kept for the next one: with fewer free sockets kept than a burst of
 * streams used, each burst that ended closed the surplus and the next opened it again, a connect per
 * stream in the tail of its time to first token (bench/README.md, "Performance work"). Idle sockets
 * still close when the upstream ends them, and `lifo` leaves the least recently used ones idle.
 */
export function createHttpAgents(maxSockets: number, connectMs = 10_000): HttpAgents {
  const options = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const };
  const httpAgent = limitConnectTime(new http.Agent(options), connectMs, 'connect');
  const httpsAgent = limitConnectTime(new https.Agent(options), connectMs, 'secureConnect');
  return {
    http: httpAgent,
    https: httpsAgent,
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
