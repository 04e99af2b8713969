/**
 * Reads a JSON request body into `req.body`, failing with catalog errors. It does express.json's
 * job for the one body type this API takes, without its per-request content negotiation, which
 * showed up in the hot path's profile. Bodies of other types are left unread: the route's
 * validator answers 415 for them.
 */
import type { HttpMiddleware, HttpNext, HttpRequest, HttpResponse } from './http-exchange.js';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { GatewayError } from '../errors.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([\w-]+)"?/i;

function unsupported(): GatewayError {
  return new GatewayError('unsupported_media_type', 'The request body must be UTF-8 JSON.');
}

/** The body as sent, or decompressed for the encodings clients actually use. */
function bodyStream(req: HttpRequest): Readable {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  switch (encoding) {
    case 'identity':
      return req;
    case 'gzip':
      return req.pipe(createGunzip());
    case 'deflate':
      return req.pipe(createInflate());
    case 'br':
      return req.pipe(createBrotliDecompress());
    default:
      throw unsupported();
  }
}

/**
 * Long enough for a slow mobile link to send the largest body; short enough that a client trickling
 * bytes cannot hold a connection (requestTimeout is off, for streams).
 */
const BODY_TIMEOUT_MS = 60_000;

export function parseJsonBody(limitBytes: number, timeoutMs = BODY_TIMEOUT_MS): HttpMiddleware {
  const tooLarge = () => new GatewayError('payload_too_large', `The request body is larger than ${limitBytes} bytes.`);
  return (req: HttpRequest, res: HttpResponse, next: HttpNext) => {
    // Present even when nothing is parsed: Apollo takes a missing `body` for a setup mistake and answers 500.
    if (!Reflect.has(req, 'body')) req.body = undefined;
    const contentType = req.headers['content-type'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    if (!hasBody || contentType === undefined || !JSON_TYPE.test(contentType)) {
      next();
      return;
    }
    const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      next(unsupported());
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > limitBytes) {
      // Not worth reading: answer at once and close, rather than let Node read the body to reuse the connection.
      res.setHeader('Connection', 'close');
      next(tooLarge());
      return;
    }
    let source: Readable;
    try {
      source = bodyStream(req);
    } catch (error) {
      next(error);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: GatewayError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      source.removeAllListeners('data');
      if (error !== undefined) {
        // The client may still be sending: discard the rest until the error response is out, then
        // close the connection so an endless body cannot keep it busy.
        if (source !== req) req.unpipe();
        req.resume();
        res.setHeader('Connection', 'close');
        next(error);
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        req.body = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
      } catch {
        next(new GatewayError('invalid_json', 'The request body is not valid JSON.'));
        return;
      }
      next();
    };
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) finish(tooLarge());
      else chunks.push(chunk);
    });
    source.once('end', () => finish());
    source.once('error', () =>
      finish(new GatewayError('invalid_request', source === req ? 'The request body was cut short.' : 'The request body could not be decompressed.')),
    );
    req.once('aborted', () => finish(new GatewayError('invalid_request', 'The request body was cut short.')));
    timer = setTimeout(() => finish(new GatewayError('invalid_request', `The request body did not arrive within ${timeoutMs / 1000} s.`)), timeoutMs);
    timer.unref();
  };
}
