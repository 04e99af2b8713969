/** Authenticates every HTTP request once, before routing; routes then only check access. */
import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '../vocabulary/principal.js';
import { bearerToken } from '../auth/access.js';
import type { GatewayService } from '../gateway/gateway-service.js';

export function authenticateRequests(gateway: GatewayService) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.locals.principal = await gateway.authenticate(bearerToken(req.headers.authorization));
    next();
  };
}

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}
