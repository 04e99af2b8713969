import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { expect } from 'chai';
import { giveBackStartUpMemory } from '../../src/lifecycle/give-back-start-up-memory.js';

const moduleUrl = pathToFileURL(path.resolve(import.meta.dirname, '../../src/lifecycle/give-back-start-up-memory.ts')).href;

/** A process started with the image's young-generation ceiling that allocates as loading the service does, then gives the memory back; prints the young generation's size before and after. */
function youngGenerationAroundGiveBack(): { before: number; after: number; givenBack: number } {
  const script = `
    import v8 from 'node:v8';
    import { giveBackStartUpMemory } from ${JSON.stringify(moduleUrl)};
    const youngGeneration = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
    const kept = [];
    for (let i = 0; i < 300_000; i++) kept.push({ i, name: 'module ' + i });
    const before = youngGeneration();
    const givenBack = giveBackStartUpMemory();
    console.log(JSON.stringify({ before, after: youngGeneration(), givenBack, kept: kept.length }));
  `;
  const child = spawnSync(process.execPath, ['--max-semi-space-size=16', '--no-memory-reducer', '--import', 'tsx/esm', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(child.status, child.stderr).to.equal(0);
  return JSON.parse(child.stdout) as { before: number; after: number; givenBack: number };
}

describe('giving back start-up memory', function () {
  this.timeout(60_000);

  it('leaves no gc function to the service or to any context made after it', () => {
    giveBackStartUpMemory();
    expect((globalThis as { gc?: unknown }).gc).to.equal(undefined);
    expect(vm.runInNewContext('typeof gc')).to.equal('undefined');
  });

  // Node 20's V8 has no memory-reducing flavor for the extension's collection and keeps the young generation; the image runs Node 22.
  if (Number(process.versions.node.split('.')[0]) >= 22) {
    it('shrinks a young generation grown to its ceiling while loading, on the image runtime', () => {
      const { before, after, givenBack } = youngGenerationAroundGiveBack();
      expect(before).to.be.at.least(16 * 2 ** 20);
      expect(after).to.be.at.most(before / 4);
      expect(givenBack).to.equal(before - after);
    });
  }
});
