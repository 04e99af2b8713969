/**
 * Who a request comes from, for rate limits and usage: the client IP (as Express resolves it
 * through trusted proxies), which identifies clients when authentication is off.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { HttpRequest } from './http-exchange.js';

/** Express's compiled `trust proxy` setting (`app.get('trust proxy fn')`). */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * What Express's `req.ip` gives, for a request served on Node's own objects. Without an
 * X-Forwarded-For header there is no proxy to trust or distrust: the socket's address it is.
 */
export function clientAddress(request: IncomingMessage, trust: TrustProxy): string | undefined {
  return request.headers['x-forwarded-for'] === undefined ? request.socket.remoteAddress : proxyAddr(request, trust);
}

export function clientIdOf(req: HttpRequest): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** WebSocket upgrades bypass Express, so only the socket address is known. */
export function clientIdOfUpgrade(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'unknown';
}
