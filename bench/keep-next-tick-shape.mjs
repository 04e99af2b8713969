// The floor and the minimal gateway keep one nextTick record alive, as the gateway does
// (src/lifecycle/keep-next-tick-shape.ts): on Node 22 a process that idled before its load (every
// target here waits while the others warm up) otherwise serves on V8's slow path for nextTick, and
// the comparison would measure when V8 last collected an idle process, not the proxies.
import { executionAsyncResource } from 'node:async_hooks';

const keptRecords = [];
process.nextTick(() => keptRecords.push(executionAsyncResource()));
