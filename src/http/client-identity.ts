/**
 * Who a request comes from, for rate limits and usage: the client IP (as Express resolves it
 * through trusted proxies), which identifies clients when authentication is off.
 */
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';

export function clientIdOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** WebSocket upgrades bypass Express, so only the socket address is known. */
export function clientIdOfUpgrade(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'unknown';
}
