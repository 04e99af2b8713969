/** The HTTP (or HTTPS) server the app runs on, with the timeouts and limits a gateway needs. */
import http from 'node:http';
import https from 'node:https';
import type { SecurityConfig } from '../config/security.js';
import { answerClientError } from './client-error.js';

// Above the 60 s idle timeout of common load balancers, so the balancer closes idle connections
// first and never sends a request down a socket the gateway is closing.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
// Headers up to 128 KiB reach the handlers, so even an absurd API key gets a proper 401.
const MAX_HEADER_BYTES = 128 * 1024;
/** Above the JSON body reader's own 60 s, so its clearer error answers first. */
const REQUEST_RECEIVE_TIMEOUT_MS = 70_000;

export function createHttpServer(listener: http.RequestListener, tls: SecurityConfig['tls']): http.Server {
  const options = { maxHeaderSize: MAX_HEADER_BYTES };
  const server: http.Server = tls === undefined ? http.createServer(options, listener) : https.createServer({ ...options, ...tls }, listener);
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  // Bounds receiving the request (headers and body), not the answer: a stream may run for many
  // minutes, but a client trickling its body cannot hold a socket past this.
  server.requestTimeout = REQUEST_RECEIVE_TIMEOUT_MS;
  return server;
}
