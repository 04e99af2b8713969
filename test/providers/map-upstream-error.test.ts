import { expect } from 'chai';
import { mapHttpError, mapInBandError, mapTransportError, parseRetryAfter } from '../../src/providers/openai-compatible/map-upstream-error.js';
import { CONNECT_TIMEOUT_CODE } from '../../src/providers/http/http-agents.js';

const KEY = 'sk-canary-map-error-9999';
const source = { providerId: 'openrouter', secrets: [KEY] };
const body = (message: string, extra: Record<string, unknown> = {}) => JSON.stringify({ error: { code: 0, message, ...extra } });

describe('upstream errors map into the catalog', () => {
  const cases: [number, string, string, Record<string, unknown>?][] = [
    [400, 'Invalid parameter: temperature', 'upstream_bad_request'],
    [422, 'Unprocessable entity', 'upstream_bad_request'],
    [400, "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.", 'context_length_exceeded'],
    [400, 'Prompt is too long: 210000 tokens > 200000 maximum', 'context_length_exceeded'],
    [413, 'Request entity too large', 'context_length_exceeded'],
    [401, 'No auth credentials found', 'upstream_auth_failed'],
    [403, 'Key disabled', 'upstream_auth_failed'],
    [403, 'Input was flagged by moderation', 'upstream_content_blocked', { metadata: { reasons: ['harassment'], flagged_input: '...' } }],
    [402, 'Insufficient credits', 'upstream_insufficient_credits'],
    [404, 'No endpoints found for foo/bar', 'model_not_found'],
    [408, 'Request timed out', 'upstream_timeout'],
    [429, 'Rate limit exceeded', 'upstream_rate_limited'],
    [500, 'Internal server error', 'upstream_unavailable'],
    [502, 'Provider returned error', 'upstream_unavailable'],
    [503, 'No available providers', 'upstream_unavailable'],
    [418, 'teapot', 'upstream_bad_request'],
  ];
  for (const [status, message, code, extra] of cases) {
    it(`${status} "${message.slice(0, 40)}" -> ${code}`, () => {
      const error = mapHttpError(source, status, body(message, extra), undefined);
      expect(error.code).to.equal(code);
      expect(error.provider).to.equal('openrouter');
      expect(error.message).to.include(message.slice(0, 20));
    });
  }

  it('reads vLLM-style top-level errors and non-JSON bodies', () => {
    expect(mapHttpError(source, 400, JSON.stringify({ object: 'error', message: 'bad', code: 400 }), undefined).message).to.include('bad');
    expect(mapHttpError(source, 502, '<html>Bad Gateway</html>', undefined).message).to.include('Bad Gateway');
  });

  it('carries Retry-After in seconds or as an HTTP date', () => {
    expect(mapHttpError(source, 429, body('slow'), '12').retryAfterSeconds).to.equal(12);
    expect(mapHttpError(source, 429, body('slow'), '12').headers).to.deep.equal({ 'Retry-After': '12' });
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).to.equal(30);
    expect(parseRetryAfter('soon', now)).to.equal(undefined);
  });

  it('never repeats the provider key or a bearer token the upstream echoed', () => {
    const error = mapHttpError(source, 401, body(`Invalid key ${KEY}; header was Bearer abcdefghijklmnop`), undefined);
    expect(error.message).not.to.include(KEY);
    expect(error.message).not.to.include('abcdefghijklmnop');
    expect(JSON.stringify(error.toBody())).not.to.include(KEY);
  });

  it('maps in-band errors: before the stream by their status, mid-stream as stream errors', () => {
    expect(mapInBandError(source, { code: 429, message: 'slow' }, false).code).to.equal('upstream_rate_limited');
    expect(mapInBandError(source, { code: 'server_error', message: 'Provider disconnected' }, true).code).to.equal('upstream_stream_error');
  });

  it('maps transport failures: refused and reset are retryable, a connect timeout is a timeout', () => {
    expect(mapTransportError(source, Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), false)).to.include({ code: 'upstream_unavailable', retryable: true });
    expect(mapTransportError(source, Object.assign(new Error('x'), { code: 'ECONNRESET' }), true)).to.include({ code: 'upstream_stream_error', retryable: true });
    expect(mapTransportError(source, Object.assign(new Error('x'), { code: CONNECT_TIMEOUT_CODE }), false).code).to.equal('upstream_timeout');
  });
});
