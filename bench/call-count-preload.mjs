// Preloaded into a process by bench/calls.mjs (--import): V8's precise coverage with call counts,
// taken (and so reset) on each SIGUSR2 and written as JSON to `${CALL_COUNT_OUT}.<n>`.
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
let taken = 0;
process.on('SIGUSR2', () => {
  session.post('Profiler.takePreciseCoverage', (error, coverage) => {
    if (error === null) writeFileSync(`${process.env.CALL_COUNT_OUT}.${taken++}`, JSON.stringify(coverage));
  });
});
