/**
 * Who may call what. Every REST route and every GraphQL root field declares one of these, and a
 * test proves none is missing.
 */
import { GatewayError } from '../errors.js';
import type { Principal } from '../vocabulary/principal.js';

export type Access = 'public' | 'client' | 'admin';

/** One message for every rejected key, whatever it looked like, so a rejection reveals nothing. */
const UNAUTHENTICATED = 'Missing or invalid API key. Send it as: Authorization: Bearer <key>.';

export function requireAccess(principal: Principal | undefined, access: Access): void {
  if (access === 'public') return;
  if (principal === undefined) throw new GatewayError('unauthenticated', UNAUTHENTICATED);
  if (access === 'admin' && principal.kind === 'client') {
    throw new GatewayError('forbidden', 'This operation needs the admin key; client keys cannot use it.');
  }
}

/** `Bearer <token>`; anything else is no token at all. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(value);
  return match?.[1];
}

/** The rate-limit, usage and cache-tenant identity of a principal. */
export function clientIdFor(principal: Principal | undefined, fallback: string): string {
  if (principal?.kind === 'client') return principal.keyId;
  if (principal?.kind === 'admin') return 'admin';
  return fallback;
}
