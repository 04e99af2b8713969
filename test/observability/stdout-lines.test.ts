import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';

const loggerUrl = pathToFileURL(path.resolve(import.meta.dirname, '../../src/observability/logger.ts')).href;

interface Run {
  code: number | null;
  lines: { n: number }[];
  stderr: string;
}

/**
 * Runs `body` (with `logger`, the service's stdout logger, in scope) in a child whose stdout is a
 * pipe this side reads only after `readAfterMs`, as a slow log shipper would.
 */
async function runLogging(body: string, { readAfterMs = 0, closeReader = false } = {}): Promise<Run> {
  const script = `
    import { createLogger } from ${JSON.stringify(loggerUrl)};
    const logger = createLogger('info');
    ${body}
  `;
  const child = spawn(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (closeReader) child.stdout.destroy();
  else {
    child.stdout.pause();
    setTimeout(() => child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString())).resume(), readAfterMs);
  }
  const [code] = (await once(child, 'close')) as [number | null];
  const lines = stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { n: number });
  return { code, lines, stderr };
}

const inOrder = (count: number) => Array.from({ length: count }, (_, n) => n);

describe('log lines on stdout', function () {
  this.timeout(60_000);

  it('are all written when the process exits in the turn that logged them', async () => {
    const { code, lines } = await runLogging(`for (let n = 0; n < 1000; n++) logger.info({ n }, 'line'); process.exit(0);`);
    expect(code).to.equal(0);
    expect(lines.map((line) => line.n)).to.deep.equal(inOrder(1000));
  });

  it('wait for a log reader that falls behind without holding up the event loop, and lose nothing', async () => {
    // About 2 MB of lines in one turn fill the pipe many times over, while a timer counts the turns
    // the loop runs; nobody reads for 600 ms. Touching process.stdout makes the pipe non-blocking,
    // as any console.log in the process does.
    const { code, lines, stderr } = await runLogging(
      `
      process.stdout;
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      setTimeout(() => { for (let n = 0; n < 20000; n++) logger.info({ n, text: 'héllo wörld ✓ 日本' }, 'line'); }, 10);
      setTimeout(() => { clearInterval(timer); process.stderr.write('ticks ' + ticks); }, 300);
      `,
      { readAfterMs: 600 },
    );
    expect(code).to.equal(0);
    expect(Number(/ticks (\d+)/.exec(stderr)?.[1]), 'timer turns while nobody read (60 nominal; a writer that waits on the pipe allows 1-2)').to.be.at.least(8);
    expect(lines.map((line) => line.n)).to.deep.equal(inOrder(20000));
  });

  it('stop when the reader has gone, and the process carries on', async () => {
    const { code, stderr } = await runLogging(
      `
      let turns = 0;
      const timer = setInterval(() => {
        for (let n = 0; n < 1000; n++) logger.info({ n }, 'line');
        if (++turns === 20) { clearInterval(timer); process.stderr.write('carried on'); }
      }, 5);
      `,
      { closeReader: true },
    );
    expect(code).to.equal(0);
    expect(stderr).to.include('carried on');
  });
});
