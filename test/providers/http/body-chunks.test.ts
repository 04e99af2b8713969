import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { bodyChunks } from '../../../src/providers/http/body-chunks.js';

async function collect(iterable: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of iterable) text += chunk.toString();
  return text;
}

describe('upstream body chunks', () => {
  it('yields every chunk in order, whether it arrived before or after it was asked for', async () => {
    const body = new PassThrough();
    body.write('a');
    body.write('b');
    const reading = collect(bodyChunks(body));
    setImmediate(() => {
      body.write('c');
      body.end('d');
    });
    expect(await reading).to.equal('abcd');
  });

  it('throws the error that cut the body short', async () => {
    const body = new PassThrough();
    const reading = collect(bodyChunks(body));
    body.write('partial');
    setImmediate(() => body.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    const error = await reading.then(() => undefined, (caught: unknown) => caught as Error);
    expect(error?.message).to.equal('socket hang up');
  });

  it('throws when the body is closed before its end without an error (an abort)', async () => {
    const body = new PassThrough();
    const reading = collect(bodyChunks(body));
    setImmediate(() => body.destroy());
    const error = await reading.then(() => undefined, (caught: unknown) => caught as { code?: string });
    expect(error?.code).to.equal('ERR_STREAM_PREMATURE_CLOSE');
  });

  it('destroys the body when the reader stops early, as for await does', async () => {
    const body = new PassThrough();
    body.write('first');
    for await (const _chunk of bodyChunks(body)) break;
    expect(body.destroyed).to.equal(true);
  });

  it('pauses the body while the reader falls behind, and resumes it as the reader catches up', async () => {
    const body = new PassThrough();
    const iterator = bodyChunks(body)[Symbol.asyncIterator]();
    for (let i = 0; i < 40; i++) body.write(`${i},`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.isPaused()).to.equal(true);
    for (let i = 0; i < 12; i++) expect((await iterator.next()).done).to.equal(false);
    expect(body.isPaused()).to.equal(false);
    await iterator.return?.();
  });
});
