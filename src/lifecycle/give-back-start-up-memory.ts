/**
 * One memory-reducing collection after start-up, before the first request. Why: loading the
 * service grows V8's young generation to its ceiling (the image's `--max-semi-space-size=16`), and
 * the image turns V8's memory reducer off (`--no-memory-reducer`: its collections on an idle replica
 * deoptimized the request path, bench/README.md), so nothing ever shrank it again: a fresh replica
 * idled at about 80 MB with 17 MB of it an empty young generation. Measured on the image's Node:
 * 80 -> 68 MB, in one collection of about 50 ms, run before the port opens. Nothing of the request
 * path has been compiled or optimized yet, so the collection cannot deoptimize it, and the young
 * generation grows back under load as before.
 *
 * V8 offers a memory-reducing collection to JavaScript only through its `gc` extension, so the
 * extension is exposed for one new context and hidden again: no other code sees a `gc` global.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

type CollectGarbage = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

function memoryReducingCollector(): CollectGarbage | undefined {
  v8.setFlagsFromString('--expose-gc');
  try {
    const collect: unknown = vm.runInNewContext('gc');
    return typeof collect === 'function' ? (collect as CollectGarbage) : undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** Returns how many bytes the young generation gave back. */
export function giveBackStartUpMemory(): number {
  const youngGeneration = (): number => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
  const before = youngGeneration();
  // 'last-resort' is V8's collection for memory pressure: it shrinks the young generation, which an ordinary full collection leaves as it is.
  memoryReducingCollector()?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return Math.max(0, before - youngGeneration());
}
