/**
 * Keeps one `process.nextTick` record alive for the life of the process. Why: Node 22 builds each
 * record as an object literal with computed (symbol) keys, and V8 holds the shapes that literal
 * steps through only weakly. A replica that idles after start-up, as one behind a load balancer
 * does, has no record alive when V8's memory reducer collects garbage for the idle process: the
 * shapes die, the literal's feedback turns megamorphic for good, and from then on every nextTick
 * (several per socket read and write) builds its record in V8's runtime. Measured on the service
 * idle for 20 s and then loaded: CPU per stream 14-16% higher, for the rest of the process's life
 * (bench/README.md, "Performance work"). One live record keeps the shapes alive, and with them the
 * fast path. Node 20 does not lose them; keeping one there costs one object.
 */
import { executionAsyncResource } from 'node:async_hooks';

const keptRecords: object[] = [];

export function keepNextTickShape(): void {
  // Inside a nextTick callback, the execution's resource is the record the callback came in.
  process.nextTick(() => keptRecords.push(executionAsyncResource()));
}
