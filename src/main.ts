/**
 * The process entry point. It loads the service with V8's optimizing compiler (Turbofan) off and
 * turns it on before the first request. Why: on Node 22, the image's runtime, loading the service's
 * ES modules runs Node's CommonJS export lexer over every package they import, hot enough for
 * Turbofan to compile it, and that compile keeps about 14 MB outside the heap that is never given
 * back: a replica idled at 89-95 MB instead of under 80 (bench/README.md, "Performance work").
 * Nothing of the request path runs before `serve.js` has finished loading, so requests are served
 * with the compiler on, as before.
 */
import v8 from 'node:v8';
import { keepNextTickShape } from './lifecycle/keep-next-tick-shape.js';

keepNextTickShape();
v8.setFlagsFromString('--no-opt');
try {
  await import('./serve.js');
} finally {
  v8.setFlagsFromString('--opt');
}
