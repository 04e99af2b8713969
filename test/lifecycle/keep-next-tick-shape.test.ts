import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';

const moduleUrl = pathToFileURL(path.resolve(import.meta.dirname, '../../src/lifecycle/keep-next-tick-shape.ts')).href;

/**
 * A process that schedules ticks, goes idle with none left alive, is collected the way V8's memory
 * reducer collects an idle process, and schedules ticks again; it prints the state of each
 * property-definition slot of nextTick's record literal.
 */
async function literalSlotStates(keep: boolean): Promise<string[]> {
  const script = `
    import { keepNextTickShape } from ${JSON.stringify(moduleUrl)};
    if (${keep}) keepNextTickShape();
    const noop = () => {};
    const burst = (n) => new Promise((resolve) => { for (let i = 0; i < n; i++) process.nextTick(noop); setImmediate(resolve); });
    for (let i = 0; i < 50; i++) await burst(2000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    globalThis.gc({ type: 'major', flavor: 'last-resort' });
    for (let i = 0; i < 5; i++) await burst(2000);
    eval('%DebugPrint(process.nextTick)');
  `;
  // V8 prints with C stdio, which loses output on a pipe Node has made non-blocking: a file keeps it all.
  const folder = mkdtempSync(path.join(os.tmpdir(), 'next-tick-shape-'));
  const file = path.join(folder, 'debug-print.txt');
  const fd = openSync(file, 'w');
  try {
    const child = spawn(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx/esm', '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', fd, 'inherit'],
      timeout: 30_000,
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).to.equal(0);
    return [...readFileSync(file, 'utf8').matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1]!);
  } finally {
    closeSync(fd);
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('keeping a nextTick record alive', function () {
  this.timeout(60_000);

  it("keeps nextTick's record literal on its fast path through an idle process's garbage collection", async () => {
    const states = await literalSlotStates(true);
    expect(states).to.not.be.empty;
    expect(states).to.not.include('MEGAMORPHIC');
  });

  // What the module guards against, on the image's runtime: if this starts failing, Node keeps the shapes itself.
  if (Number(process.versions.node.split('.')[0]) === 22) {
    it('is needed on Node 22: without a live record the literal turns megamorphic after that collection', async () => {
      expect(await literalSlotStates(false)).to.include('MEGAMORPHIC');
    });
  }
});
