import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { bodyParts, type BodyDecoder } from '../../../src/providers/http/body-parts.js';

/** Splits a body into comma-separated parts; `.` ends it, as `[DONE]` ends a chat stream. */
class CommaDecoder implements BodyDecoder<string> {
  private pending = '';
  done = false;

  push(chunk: Buffer | string, emit: (part: string) => void): void {
    this.pending += chunk.toString();
    const pieces = this.pending.split(',');
    this.pending = pieces.pop() ?? '';
    for (const piece of pieces) {
      if (piece === '.') {
        this.done = true;
        break;
      }
      emit(piece);
    }
  }

  end(emit: (part: string) => void): void {
    emit('finish');
  }
}

function parts(body: PassThrough) {
  const released: number[] = [];
  const flow = bodyParts<string>(body, new CommaDecoder(), { failurePart: (error) => `failed: ${(error as { code?: string }).code}`, release: () => released.push(1) });
  return { flow, released };
}

async function pullAll(flow: AsyncIterable<string>): Promise<string[]> {
  const items: string[] = [];
  for await (const item of flow) items.push(item);
  return items;
}

describe('upstream body parts', () => {
  it('decodes the body in its own data events, pulled or piped, with the last part at its end', async () => {
    const pulledBody = new PassThrough();
    const pulled = parts(pulledBody);
    pulledBody.write('a,b');
    setImmediate(() => pulledBody.end(',c,'));
    expect(await pullAll(pulled.flow)).to.deep.equal(['a', 'b', 'c', 'finish']);
    expect(pulled.released).to.have.length(1);

    const pipedBody = new PassThrough();
    const piped = parts(pipedBody);
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => piped.flow.pipe({ push: (part) => seen.push(part) > 0, end: resolve, fail: reject }) && pipedBody.end('x,y,'));
    expect(seen).to.deep.equal(['x', 'y', 'finish']);
  });

  it('ends with a failure part when the body is cut short, by an error or a close without one', async () => {
    const reset = new PassThrough();
    const cut = parts(reset);
    reset.write('a,');
    setImmediate(() => reset.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    expect(await pullAll(cut.flow)).to.deep.equal(['a', 'failed: ECONNRESET']);

    const aborted = new PassThrough();
    const closed = parts(aborted);
    setImmediate(() => aborted.destroy());
    expect(await pullAll(closed.flow)).to.deep.equal(['failed: ERR_STREAM_PREMATURE_CLOSE']);
    expect(closed.released).to.have.length(1);
  });

  it('reads the body to its end after the decoder is done, so its keep-alive socket is not destroyed', async () => {
    const body = new PassThrough();
    const { flow, released } = parts(body);
    let cutShort = false;
    const destroy = body.destroy.bind(body);
    body.destroy = (error?: Error) => {
      if (!body.readableEnded) cutShort = true;
      return destroy(error);
    };
    body.write('a,.,');
    const items = await pullAll(flow);
    expect(items).to.deep.equal(['a', 'finish']);
    expect(released).to.have.length(0);
    body.end('trailing bytes');
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).to.have.length(1);
    expect(body.readableEnded).to.equal(true);
    expect(cutShort).to.equal(false);
  });

  it('ends with a failure part when its decoder throws, rather than throwing out of the body\'s event', async () => {
    const body = new PassThrough();
    const released: number[] = [];
    const broken: BodyDecoder<string> = {
      done: false,
      push: () => {
        throw Object.assign(new Error('decoder bug'), { code: 'DECODER_BUG' });
      },
      end: () => [],
    };
    const flow = bodyParts<string>(body, broken, { failurePart: (error) => `failed: ${(error as { code?: string }).code}`, release: () => released.push(1) });
    body.write('anything');
    expect(await pullAll(flow)).to.deep.equal(['failed: DECODER_BUG']);
    expect(released).to.have.length(1);
    expect(body.destroyed).to.equal(true);
  });

  it('destroys the body when the consumer stops early', async () => {
    const body = new PassThrough();
    const { flow, released } = parts(body);
    body.write('a,');
    for await (const _part of flow) break;
    expect(body.destroyed).to.equal(true);
    expect(released).to.have.length(1);
  });

  it('pauses the body while a piped consumer asks it to, and resumes it when asked', async () => {
    const body = new PassThrough();
    const { flow } = parts(body);
    let accept = false;
    const pipe = flow.pipe({ push: () => accept, end: () => {}, fail: () => {} });
    body.write('a,');
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.isPaused()).to.equal(true);
    accept = true;
    pipe.resume();
    expect(body.isPaused()).to.equal(false);
    pipe.stop();
  });
});
