import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('the process logger', () => {
  it('redacts keys and authorization headers in logged objects, however deep the object is logged', async () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', stream);
    logger.info({ apiKey: 'sk-top', provider: { id: 'openrouter', apiKey: 'sk-nested' }, headers: { authorization: 'Bearer sk-header' } }, 'configured');
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = lines();
    expect(line).to.deep.include({ apiKey: '[redacted]', provider: { id: 'openrouter', apiKey: '[redacted]' }, headers: { authorization: '[redacted]' } });
    expect(JSON.stringify(lines())).not.to.match(/sk-(top|nested|header)/);
  });
});
