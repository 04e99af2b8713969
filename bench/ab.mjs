// A/B of two builds on the same machine at the same time: builds a git ref (default HEAD) in a
// scratch worktree beside the working tree's build, starts both gateways lean (Redis and auth off)
// against one fake upstream, and alternates load between them, so a busy machine slows both alike.
// Prints CPU per request and requests/s per round and the median ratio of B (the working tree) to A.
// With `PAIRS=n` the comparison runs on n pairs of fresh processes, started in alternating order,
// and the verdict is the geometric mean of the pairs' ratios, each pair's printed beside it: a
// check that neither build's process was favoured by its place (ab-runner.mjs idles both after
// their start for that reason).
// Usage: [PAIRS=n] node bench/ab.mjs [git-ref] [whole|whole-50|stream|stream-1] [rounds]   (after npm run build; whole-50: 50 ms upstream; stream-1: one-token streams)
import { buildRef, compareBuilds, removeRef } from './ab-runner.mjs';
import { root } from './processes.mjs';

const [ref = 'HEAD', scenario = 'whole', rounds = '5'] = process.argv.slice(2);
const pairs = Number(process.env.PAIRS ?? 1);

const geometricMean = (values) => Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);
const fixed = (values) => values.map((value) => value.toFixed(3)).join(' / ');

const baseDir = buildRef(ref);
try {
  const ratios = [];
  for (let pair = 0; pair < pairs; pair++) {
    // The working tree's process starts first in every other pair; its ratio is turned back to B/A.
    const treeFirst = pair % 2 === 1;
    console.log(`pair ${pair + 1} (its rounds' A starts first): A = ${treeFirst ? 'the working tree' : ref}, B = ${treeFirst ? ref : 'the working tree'}`);
    const ratio = treeFirst ? await compareBuilds(root, baseDir, scenario, Number(rounds)) : await compareBuilds(baseDir, root, scenario, Number(rounds));
    ratios.push(treeFirst ? { cpu: 1 / ratio.cpu, rate: 1 / ratio.rate, p99: 1 / ratio.p99 } : ratio);
  }
  const of = (key) => ratios.map((ratio) => ratio[key]);
  const p99 = of('p99').some(Number.isNaN) ? '' : `, B/A p99 ${geometricMean(of('p99')).toFixed(3)} (${fixed(of('p99'))})`;
  console.log(`${scenario}: B/A CPU per request ${geometricMean(of('cpu')).toFixed(3)} (${fixed(of('cpu'))}), B/A rate ${geometricMean(of('rate')).toFixed(3)} (${fixed(of('rate'))})${p99} (pairs' geometric mean, each the median of ${rounds} rounds; A = ${ref}, B = working tree)`);
} finally {
  removeRef(baseDir);
}
