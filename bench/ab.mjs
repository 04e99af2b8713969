// A/B of two builds on the same machine at the same time: builds a git ref (default HEAD) in a
// scratch worktree beside the working tree's build, starts both gateways lean (Redis and auth off)
// against one fake upstream, and alternates load between them, so a busy machine slows both alike.
// Prints CPU per request and requests/s per round and the median ratio of B (the working tree) to A.
// Usage: node bench/ab.mjs [git-ref] [whole|whole-50|stream|stream-1] [rounds]   (after npm run build; whole-50: 50 ms upstream; stream-1: one-token streams)
import { buildRef, compareBuilds, removeRef } from './ab-runner.mjs';
import { root } from './processes.mjs';

const [ref = 'HEAD', scenario = 'whole', rounds = '5'] = process.argv.slice(2);

const baseDir = buildRef(ref);
try {
  const ratio = await compareBuilds(baseDir, root, scenario, Number(rounds));
  const p99 = Number.isNaN(ratio.p99) ? '' : `, B/A p99 ${ratio.p99.toFixed(3)}`;
  console.log(`${scenario}: B/A CPU per request ${ratio.cpu.toFixed(3)}, B/A rate ${ratio.rate.toFixed(3)}${p99} (median of ${rounds}; A = ${ref}, B = working tree)`);
} finally {
  removeRef(baseDir);
}
