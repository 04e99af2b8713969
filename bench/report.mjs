// Renders a benchmark run (bench/results/*.json) as Markdown, and puts a full run into bench/README.md
// between its markers. run.mjs calls it after each run; `node bench/report.mjs <results.json>`
// renders a saved run again.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const fmt = (value, digits = 1) => (value === undefined || value === null || Number.isNaN(value) ? '' : Number(value).toFixed(digits));

/** CPU per request against the floor's in the same run: the figure least moved by a busy machine. */
function cpuRatios(rows) {
  const scenario = rows.find((row) => row.scenario.startsWith('whole, 0 ms upstream'))?.scenario;
  const cpu = (target) => rows.find((row) => row.scenario === scenario && row.target === target)?.cpuMicros;
  const floor = cpu('node:http floor');
  if (scenario === undefined || !(floor > 0)) return '';
  const production = cpu('gateway, Redis + auth');
  const minimal = cpu('minimal JSON gateway');
  return `CPU per request in "${scenario}", as a multiple of the node:http floor's in the same run: this gateway ${fmt(cpu('this gateway') / floor, 1)}x${production === undefined ? '' : `, with Redis and auth ${fmt(production / floor, 1)}x`}, Portkey ${fmt(cpu('portkey') / floor, 1)}x${minimal === undefined ? '' : `, the minimal JSON gateway (bench/minimal-gateway.mjs) ${fmt(minimal / floor, 1)}x`}. A stream's CPU is per stream of 100 tokens.`;
}

/** An overhead's references: the floor's own and, where measured, the floor holding its head to the first token. */
export function floorNote(check, format) {
  if (check.floor === undefined) return '';
  const held = check.held === undefined ? '' : `; holding its head to the first token: ${format(check.held)} ${check.unit}`;
  return ` (the floor's own: ${format(check.floor)} ${check.unit}${held})`;
}

export function markdown({ meta, rows, checks }) {
  const lines = [
    `Run ${meta.date} on ${meta.machine}; Node ${meta.versions.node}, Portkey ${meta.versions.portkey}${meta.rounds === undefined ? '' : `${meta.warmUpSeconds === undefined ? '' : `; every target loaded for ${meta.warmUpSeconds} s (whole) and ${meta.warmUpSeconds / 2} s (streamed) before any measurement`}${meta.streamClientsConnectedFirst ? "; a stream scenario's clients connected before each round's clock" : ''}; every figure the median of ${meta.rounds} round${meta.rounds === 1 ? '' : 's'}${meta.rounds > 1 ? ", a comparison of two targets' CPU or rates the median of the rounds' comparisons (each round's in brackets)" : ''}`}${meta.smoke ? ' (smoke pass: short, not comparable)' : ''}.`,
    '',
    '| Scenario | Target | req or streams/s | p50 ms | p99 ms | TTFT p50 ms | TTFT p99 ms | CPU µs/req | Peak RSS MB | Errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row.scenario} | ${row.target} | ${fmt(row.rps, 0)} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${fmt(row.ttftP50, 2)} | ${fmt(row.ttftP99, 1)} | ${fmt(row.cpuMicros, 0)} | ${row.peakRssMb} | ${row.errors}${row.successRate === undefined ? '' : ` (${fmt(row.successRate * 100, 1)}% ok)`} |`),
    '',
    '| Target | Measured | Goal | Met |',
    '| --- | ---: | ---: | :---: |',
    ...checks.map((check) => `| ${check.name} | ${fmt(check.value, 2)} ${check.unit}${check.rounds === undefined || check.rounds.length < 2 ? '' : ` (${check.rounds.map((value) => fmt(value, 2)).join(' / ')})`}${floorNote(check, (value) => fmt(value, 2))} | ${check.threshold} ${check.unit} | ${check.met ? 'yes' : '**no**'} |`),
    '',
    cpuRatios(rows),
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes latest.md (or smoke.md) and, for a full run, the results table in bench/README.md. */
export function publish(run) {
  const table = markdown(run);
  writeFileSync(path.join(here, 'results', run.meta.smoke ? 'smoke.md' : 'latest.md'), table);
  if (run.meta.smoke) return;
  const readmePath = path.join(here, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  writeFileSync(readmePath, readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${table}<!-- bench:end -->`));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: node bench/report.mjs bench/results/<run>.json');
  publish(JSON.parse(readFileSync(file, 'utf8')));
}
