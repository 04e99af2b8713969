import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { readBody } from '../../../src/providers/http/read-body.js';

describe('reading a whole upstream body', () => {
  it('returns the text of a body that ends, and counts progress per chunk', async () => {
    const body = new PassThrough();
    let progress = 0;
    const reading = readBody(body, 1_000, () => progress++);
    body.write('{"a":');
    body.end('1}');
    expect(await reading).to.deep.equal({ text: '{"a":1}', truncated: false });
    expect(progress).to.equal(2);
  });

  it('stops at the limit and says the body was cut', async () => {
    const body = new PassThrough();
    const reading = readBody(body, 4, () => undefined);
    body.write('abc');
    body.write('def');
    expect(await reading).to.deep.equal({ text: 'abc', truncated: true });
  });

  it('fails when the body is closed before its end without an error (an abort)', async () => {
    const body = new PassThrough();
    const reading = readBody(body, 1_000, () => undefined);
    body.write('partial');
    setImmediate(() => body.destroy());
    const error = await reading.then(() => undefined, (caught: unknown) => caught as { code?: string });
    expect(error?.code).to.equal('ERR_STREAM_PREMATURE_CLOSE');
  });

  it('fails with the error that cut the body short', async () => {
    const body = new PassThrough();
    const reading = readBody(body, 1_000, () => undefined);
    setImmediate(() => body.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    const error = await reading.then(() => undefined, (caught: unknown) => caught as Error);
    expect(error?.message).to.equal('socket hang up');
  });
});
