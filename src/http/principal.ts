/** Authenticates every HTTP request once, before routing; routes then only check access. */
import type { HttpNext, HttpRequest, HttpResponse } from './http-exchange.js';
import type { Principal } from '../vocabulary/principal.js';
import { bearerToken } from '../auth/access.js';
import type { GatewayService } from '../gateway/gateway-service.js';

export function authenticateRequests(gateway: GatewayService) {
  return (req: HttpRequest, res: HttpResponse, next: HttpNext): void | Promise<void> => {
    // Anthropic's SDKs send the key as x-api-key; everyone else as a bearer token.
    const apiKey = req.headers['x-api-key'];
    const principal = gateway.authenticate(bearerToken(req.headers.authorization) ?? (typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined));
    // A known key goes on at once; only a store lookup makes the request wait a turn.
    if (!(principal instanceof Promise)) {
      res.locals.principal = principal;
      next();
      return;
    }
    return principal.then((found) => {
      res.locals.principal = found;
      next();
    });
  };
}

export function principalOf(res: HttpResponse): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}
