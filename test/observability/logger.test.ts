import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createLogger } from '../../src/observability/logger.js';

const run = promisify(execFile);
const loggerUrl = pathToFileURL(path.resolve(import.meta.dirname, '../../src/observability/logger.ts')).href;

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

  it('writes every line to stdout whole and in order, a burst of them included, before the process exits', async function () {
    this.timeout(30_000);
    // 5,000 lines in one event-loop turn, then a normal exit: nothing may be lost, split or reordered.
    const script = `
      import { createLogger } from ${JSON.stringify(loggerUrl)};
      const logger = createLogger('info');
      for (let n = 0; n < 5000; n++) logger.info({ n, text: 'héllo wörld ✓ 日本' }, 'line');
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 30_000,
    });
    const lines = stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { n: number; text: string; msg: string });
    expect(lines).to.have.length(5000);
    expect(lines.map((line) => line.n)).to.deep.equal(Array.from({ length: 5000 }, (_, n) => n));
    expect(lines.every((line) => line.text === 'héllo wörld ✓ 日本' && line.msg === 'line')).to.equal(true);
  });
});
