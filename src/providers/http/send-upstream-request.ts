/**
 * One upstream HTTP exchange over the provider's keep-alive agents, resolved when the response
 * headers arrive. The body stays a stream for the caller to read or parse; cancelling aborts the
 * request and its socket at any point. Built on node:http because the gateway's hot path cannot
 * afford a general-purpose client's per-request config merging (README, Benchmarks).
 */
import http, { type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { HttpAgents } from './http-agents.js';
import { endInTurn } from '../../sockets/writes-in-turn.js';

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
  /**
   * Name/value pairs, sent as they are: the caller sets Content-Type and Content-Length; `Host`, and
   * the URL's credentials as Basic `Authorization`, are added unless among them. Pairs rather than an
   * object: Node files an object's headers one `setHeader` at a time, lowercasing every name into a
   * fresh string (bench/README.md, "Performance work").
   */
  headers: readonly string[];
  body: string | undefined;
  cancellation: Cancellation;
}

export interface UpstreamResponse {
  status: number;
  /** Its headers are `body.headers`, which Node builds when first read: most answers never need them. */
  body: IncomingMessage;
}

/**
 * A provider calls a handful of fixed URLs, so each is turned into request options once: Node
 * would otherwise take a URL apart again on every request. Kept per URL object, which callers build
 * once and never change (the transports keep theirs per path).
 */
interface Target {
  options: Readonly<RequestOptions>;
  /** The Host header Node would send: the URL's host, its port left out when it is the scheme's. */
  host: string;
  /** The URL's credentials as Node would send them, when it has any. */
  basicAuthorization: string | undefined;
}

const targets = new WeakMap<URL, Target>();

function targetOf(url: URL): Target {
  let target = targets.get(url);
  if (target === undefined) {
    const { protocol, hostname, port, path, auth } = urlToHttpOptions(url);
    target = { options: { protocol, hostname, port, path }, host: url.host, basicAuthorization: auth === undefined || auth === null ? undefined : `Basic ${Buffer.from(auth).toString('base64')}` };
    targets.set(url, target);
  }
  return target;
}

/** The pairs to send: the caller's, with Host and the URL's credentials unless the caller set them. */
function headerPairs(headers: readonly string[], target: Target): string[] {
  let host = true;
  let authorization = target.basicAuthorization !== undefined;
  for (let at = 0; at < headers.length; at += 2) {
    const name = headers[at] as string;
    // Most names are neither: the length spares them the lowercasing.
    if (name.length === 4 && name.toLowerCase() === 'host') host = false;
    else if (name.length === 13 && name.toLowerCase() === 'authorization') authorization = false;
  }
  const pairs = [...headers];
  if (host) pairs.push('Host', target.host);
  if (authorization) pairs.push('Authorization', target.basicAuthorization as string);
  return pairs;
}

export function sendUpstreamRequest(agents: HttpAgents, request: UpstreamRequest): Promise<UpstreamResponse> {
  const target = targetOf(request.url);
  const secure = target.options.protocol === 'https:';
  const headers = headerPairs(request.headers, target);
  return new Promise((resolve, reject) => {
    const cancellation = request.cancellation;
    const abortError = () => Object.assign(new Error('the upstream request was aborted'), { code: 'ABORT_ERR', cause: cancellation.reason });
    if (cancellation.aborted) {
      reject(abortError());
      return;
    }
    const options: RequestOptions = { ...target.options, method: request.method, headers, agent: secure ? agents.https : agents.http };
    let response: IncomingMessage | undefined;
    const onResponse = (incoming: IncomingMessage) => {
      response = incoming;
      resolve({ status: incoming.statusCode ?? 0, body: incoming });
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
    // Sent with the rest of the turn's upstream requests, so the upstream wakes once for all of them.
    endInTurn(outgoing, request.body);
  });
}
