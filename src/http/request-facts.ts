/**
 * What every transport knows about a request before the gateway sees it: its id, who asks, and
 * the identity its limits and usage are kept under. Built the same way for REST, GraphQL over HTTP
 * and GraphQL over WebSocket, so the three cannot drift apart.
 */
import type { IncomingMessage } from 'node:http';
import type { HttpRequest, HttpResponse } from './http-exchange.js';
import { clientIdFor } from '../auth/access.js';
import type { Principal } from '../vocabulary/principal.js';
import type { ResponseReport } from '../vocabulary/request-context.js';
import { clientIdOf, clientIdOfUpgrade } from './client-identity.js';
import { principalOf } from './principal.js';
import { requestIdFrom, requestIdOf } from './request-id.js';
import { reportOf } from './request-log.js';

export interface RequestFacts {
  requestId: string;
  /** The rate-limit and usage key: the API key id, or the client address when authentication is off. */
  clientId: string;
  principal: Principal | undefined;
  /** The HTTP request's report, for its log line; absent over WebSocket. */
  report?: ResponseReport;
  /** The client's W3C trace context, when it sent a well-formed one. */
  traceparent?: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

function traceparentOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && TRACEPARENT.test(value) ? value : undefined;
}

/** An Express request that went through the request-id, logging and authentication middleware. */
export function httpRequestFacts(req: HttpRequest, res: HttpResponse): RequestFacts & { report: ResponseReport } {
  const principal = principalOf(res);
  const facts: RequestFacts & { report: ResponseReport } = { requestId: requestIdOf(res), clientId: clientIdFor(principal, clientIdOf(req)), principal, report: reportOf(res) };
  const traceparent = traceparentOf(req.headers.traceparent);
  if (traceparent !== undefined) facts.traceparent = traceparent;
  return facts;
}

/** A WebSocket connection, authenticated in its `connection_init`. */
export function upgradeRequestFacts(request: IncomingMessage, principal: Principal | undefined): RequestFacts {
  const traceparent = traceparentOf(request.headers.traceparent);
  return { requestId: requestIdFrom(request.headers['x-request-id']), clientId: clientIdFor(principal, clientIdOfUpgrade(request)), principal, ...(traceparent === undefined ? {} : { traceparent }) };
}
