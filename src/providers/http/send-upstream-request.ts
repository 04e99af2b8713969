/**
 * One upstream HTTP exchange over the provider's keep-alive agents, resolved when the response
 * headers arrive. The body stays a stream for the caller to read or parse; cancelling aborts the
 * request and its socket at any point. Built on node:http because the gateway's hot path cannot
 * afford a general-purpose client's per-request config merging (README, Benchmarks).
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { HttpAgents } from './http-agents.js';

/** What can cut an exchange short: the call's deadline, which also follows the caller's signal. */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Registers the exchange's one listener; called at once when already cancelled. */
  whenCancelled(listener: (reason: unknown) => void): void;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** Sent as they are: the caller sets Content-Type and Content-Length. */
  headers: Readonly<Record<string, string | number>>;
  body: string | undefined;
  cancellation: Cancellation;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

/**
 * A provider calls a handful of fixed URLs, so each is turned into request options once: Node
 * would otherwise take a URL apart again on every request. Kept per URL object, which callers build
 * once and never change (the transports keep theirs per path).
 */
const targets = new WeakMap<URL, Readonly<RequestOptions>>();

function targetOf(url: URL): Readonly<RequestOptions> {
  let target = targets.get(url);
  if (target === undefined) {
    const { protocol, hostname, port, path, auth } = urlToHttpOptions(url);
    target = auth === undefined ? { protocol, hostname, port, path } : { protocol, hostname, port, path, auth };
    targets.set(url, target);
  }
  return target;
}

export function sendUpstreamRequest(agents: HttpAgents, request: UpstreamRequest): Promise<UpstreamResponse> {
  const target = targetOf(request.url);
  const secure = target.protocol === 'https:';
  const headers = request.headers;
  return new Promise((resolve, reject) => {
    const cancellation = request.cancellation;
    const abortError = () => Object.assign(new Error('the upstream request was aborted'), { code: 'ABORT_ERR', cause: cancellation.reason });
    if (cancellation.aborted) {
      reject(abortError());
      return;
    }
    const options: RequestOptions = { ...target, method: request.method, headers, agent: secure ? agents.https : agents.http };
    let response: IncomingMessage | undefined;
    const onResponse = (incoming: IncomingMessage) => {
      response = incoming;
      resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: incoming });
    };
    const outgoing = secure ? https.request(options, onResponse) : http.request(options, onResponse);
    // One listener for the whole exchange. The body is destroyed with the error too: destroying
    // only the request would leave whoever reads the body waiting for data that never comes.
    cancellation.whenCancelled(() => {
      const error = abortError();
      outgoing.destroy(error);
      response?.destroy(error);
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
