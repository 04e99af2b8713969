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
      next(tooLarge(limitBytes));
      return;
    }
    let source: Readable;
    try {
      source = bodyStream(req);
    } catch (error) {
      next(error);
      return;
    }
    new BodyRead(req, res, next, source, limitBytes, timeoutMs);
  };
}

/**
 * One request body being read. Its end is a bound method, not a closure made per request: V8 keeps
 * a closure's optimized code only while a closure that ran it is alive, so a closure here was
 * compiled again after every full collection (bench/README.md, "Eleventh pass").
 */
class BodyRead {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private done = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly req: HttpRequest,
    private readonly res: HttpResponse,
    private readonly next: HttpNext,
    private readonly source: Readable,
    private readonly limitBytes: number,
    timeoutMs: number,
  ) {
    source.on('data', (chunk: Buffer) => this.add(chunk));
    source.once('end', this.finish.bind(this, undefined));
    source.once('error', () =>
      this.finish(new GatewayError('invalid_request', source === req ? 'The request body was cut short.' : 'The request body could not be decompressed.')),
    );
    req.once('aborted', () => this.finish(new GatewayError('invalid_request', 'The request body was cut short.')));
    this.timer = setTimeout(() => this.finish(new GatewayError('invalid_request', `The request body did not arrive within ${timeoutMs / 1000} s.`)), timeoutMs);
    this.timer.unref();
  }

  private add(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limitBytes) this.finish(tooLarge(this.limitBytes));
    else this.chunks.push(chunk);
  }

  private finish(error: GatewayError | undefined): void {
    if (this.done) return;
    this.done = true;
    const { req, res, next, source } = this;
    clearTimeout(this.timer);
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
    const text = Buffer.concat(this.chunks).toString('utf8');
    try {
      req.body = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      next(new GatewayError('invalid_json', 'The request body is not valid JSON.'));
      return;
    }
    next();
  }
}

function tooLarge(limitBytes: number): GatewayError {
  return new GatewayError('payload_too_large', `The request body is larger than ${limitBytes} bytes.`);
}
