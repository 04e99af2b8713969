// Where one stream's time to a first token goes inside the gateway, step by step. Copies the
// working tree's build with a phase mark before each step of a chat stream's path (as
// bench/bounds.mjs copies it to cut parts out; the marks change no behaviour), starts the copy with
// bench/first-token-marks.mjs preloaded, warms it as `npm run bench` warms a target (8 s of whole
// requests, 4 s of short unpaced streams, 50 at a time), then sends streams one at a time and
// prints, in order, each mark's median time after the request's arrival and the step before it.
// The marks split the path into steps of a few microseconds each (the sixteenth pass needed them
// that fine to find the one step of the gateway's own code above 20 µs).
// `chain n` is the hot route's n-th function about to run: 0 security headers, 1 the in-flight
// count, 2 the request id, 3 the request log, 4 authentication, 5 the route's access check, 6 the
// body reader, 7 the validator and handler (without CORS_ORIGINS, as benchmarked). The default
// model is short 3-token streams; the benchmark's one-stream scenario sends bench-stream-100x5.
// WARM_STREAMS sets the paced streams sent after that warm-up and before measuring (default 5).
// Usage: node bench/setup-phases.mjs [streams] [model]   (after npm run build)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { copyBuildWith, removeCopy, startBuild } from './ab-runner.mjs';
import { firstToken, medianOf } from './first-token-client.mjs';
import { here, loadFor, sleep, startUpstream } from './processes.mjs';

const count = Number(process.argv[2] ?? 200);
const model = process.argv[3] ?? 'bench-stream-3x5';
const warmStreams = Number(process.env.WARM_STREAMS ?? 5);
const mark = (name) => `globalThis.__phase?.(${name});\n        `;
const tokenMark = (name) => `globalThis.__tokenPhase?.(${name});\n        `;
const EXECUTOR = 'dist/src/gateway/resilient-executor.js';
const SSE_WRITER = 'dist/src/rest/sse-writer.js';
const MARKS = [
  ['dist/src/http/hot-routes.js', 'const handler = hot.chain[this.index++];', mark('`chain ${this.index}`')],
  ['dist/src/http/json-body.js', "const text = Buffer.concat(this.chunks).toString('utf8');", mark("'body reader: body in'")],
  ['dist/src/rest/chat-completions-handler.js', 'const chunks = deps.gateway.streamChatCompletion(command, context);', mark("'handler: validated, context made'")],
  ['dist/src/gateway/chat-pipeline.js', 'const { cacheKey } = prepared;', mark("'pipeline: admitted and routed'")],
  [EXECUTOR, 'const chunks = open(deployment, signal, attempts, traceparent);', mark("'executor: deployment picked, admitted'")],
  ['dist/src/providers/http/send-upstream-request.js', 'const outgoing = secure', mark("'provider: upstream request built'")],
  [EXECUTOR, 'const { first, chunks } = run.value;', mark("'executor: first chunk past fallback'")],
  [SSE_WRITER, 'writeAnswerHead(res, 200, STREAM_HEADERS', mark("'writer: first chunk in hand'")],
  [SSE_WRITER, 'await new SseSession(res, new FramedChunks(res), flow, options).run(first.value);', mark("'writer: head written'")],
  ['dist/src/providers/http/send-upstream-request.js', '        cancellation.whenCancelled(() => {', mark("'provider: http.request made'")],
  ['dist/src/providers/http/send-upstream-request.js', '    });\n}\n//# sourceMappingURL=send-upstream-request.js.map', mark("'provider: ended'")],
  ['dist/src/rest/routes.js', '                deps.validator.validateBody(route.operationId, req.body);', mark("'validator: type checked'")],
  ['dist/src/rest/routes.js', '            return handler(req, res);', mark("'validator: body validated'")],
  ['dist/src/rest/chat-completions-handler.js', 'const abort = abortWhenClientLeaves(res);', mark("'handler: command made'")],
  ['dist/src/rest/chat-completions-handler.js', 'const facts = httpRequestFacts(req, res);', mark("'handler: abort signal'")],
  ['dist/src/rest/chat-completions-handler.js', '        const context = { requestId', mark("'handler: facts'")],
  ['dist/src/gateway/chat-pipeline.js', "        const start = (signal) => this.deps.executor.stream(", mark("'pipeline: cache checked'")],
  ['dist/src/gateway/chat-pipeline.js', "        if (context.report !== undefined)\n            context.report.coalesced = source.coalesced;", mark("'pipeline: source made'")],
  [EXECUTOR, "        const started = performance.now();\n        let run;", mark("'executor: scope opened'")],
  ['dist/src/gateway/fallback-runner.js', '        const ticket = deps.health.admit(deployment);', mark("'runner: deployment picked'")],
  ['dist/src/gateway/fallback-runner.js', '        const outcome = await attemptOnce(deployment', mark("'runner: admitted'")],
  ['dist/src/gateway/fallback-runner.js', '    const endCall = deps.balancer.begin(deployment);', mark("'runner: attempt begun'")],
  ['dist/src/gateway/chat-pipeline.js', '\n        const preparing = this.prepare(command, context);', mark("'pipeline: stream opening'")],
  ['dist/src/gateway/chat-pipeline.js', '        checkInputLimits(command, this.deps.inputLimits);', mark("'pipeline: prepare'")],
  ['dist/src/gateway/chat-pipeline.js', '        const steps = imageSafeSteps(', mark("'pipeline: input limits checked'")],
  ['dist/src/gateway/chat-pipeline.js', '        const admitting = this.deps.limiter', mark("'pipeline: steps resolved'")],
  ['dist/src/gateway/fallback-runner.js', '    deps.budget.recordRequest();', mark("'runner: run'")],
  ['dist/src/gateway/fallback-runner.js', '        const candidates = usableDeployments(step, deps, run, tries);', mark("'runner: step'")],
  ['dist/src/gateway/fallback-runner.js', '        const deployment = deps.balancer.pick(step', mark("'runner: candidates'")],
  ['dist/src/providers/openai-compatible/openai-compatible-provider.js', '            transport.assertConfigured();\n            const deadline', mark("'provider: stream opening'")],
  ['dist/src/providers/openai-compatible/openai-compatible-provider.js', "                body = await transport.open('POST', 'chat/completions', toWireRequest(", mark("'provider: deadline armed'")],
  ['dist/src/providers/openai-compatible/upstream-transport.js', '        const text = body === undefined ? undefined : JSON.stringify(body);', mark("'transport: wire body built'")],
  ['dist/src/providers/openai-compatible/upstream-transport.js', '        const headers = [...this.fixedHeaders', mark("'transport: body serialized'")],
  ['dist/src/providers/openai-compatible/upstream-transport.js', '        const response = await sendUpstreamRequest(', mark("'transport: headers listed'")],
  ['dist/src/providers/http/send-upstream-request.js', '    const headers = headerPairs(request.headers, target);', mark("'send: target'")],
  ['dist/src/http/http-exchange.js', '        res.writeHead(status, head);', mark("'writer: head listed'")],
  // The first token's way from the upstream body to the writer, layer by layer, its decoding first.
  ['dist/src/providers/openai-compatible/parse-event-stream.js', '        this.parser.feed(text);', tokenMark("'decode: text decoded'")],
  ['dist/src/providers/openai-compatible/events-to-stream-parts.js', '        this.events.decode(data, this.emit);', tokenMark("'decode: event framed'")],
  ['dist/src/providers/openai-compatible/events-to-stream-parts.js', '            chunk = JSON.parse(data);', tokenMark("'decode: template missed'")],
  ['dist/src/providers/openai-compatible/events-to-stream-parts.js', '        this.decodeChoice(chunk, data, emit);', tokenMark("'decode: parsed, checked'")],
  ['dist/src/providers/http/body-parts.js', 'this.decoder.push(chunk, this.emit);', tokenMark("'token: body data'")],
  ['dist/src/streams/source-flow.js', 'const waiter = this.takeWaiter();', tokenMark("'token: source flow emits'")],
  ['dist/src/streams/stage-flow.js', '            if (this.stopped)\n                return DONE;\n            if (result.done === true) {', tokenMark("'token: stage flow resumed'")],
  ['dist/src/streams/lazy-flow.js', '        return this.finished ? DONE : await inner.next();', tokenMark("'token: lazy flow opened'")],
  [EXECUTOR, '    if (first.done === true)', tokenMark("'token: attempt has its first item'")],
  ['dist/src/gateway/fallback-runner.js', '        endCall();\n        deps.balancer.observeLatency', tokenMark("'token: attempt resolved'")],
  ['dist/src/gateway/fallback-runner.js', '        return { value, deployment, attempts: run.attempts, ticket };', tokenMark("'token: attempt booked'")],
  ['dist/src/gateway/fallback-runner.js', "        if ('value' in outcome)\n            return outcome;\n        const error", tokenMark("'token: step resolved'")],
  ['dist/src/gateway/fallback-runner.js', '        if (success !== undefined)', tokenMark("'token: run resolved'")],
  [EXECUTOR, '        return watchFlow(chunks', tokenMark("'token: executor watching'")],
  ['dist/src/rest/sse-writer.js', '        const heartbeat = setInterval(', mark("'writer: session made'")],
  ['dist/src/rest/sse-writer.js', '            const ended = new Promise((resolve) => (this.finish = resolve));', mark("'writer: stream registered'")],
];
// The marks first-token-marks.mjs takes at Node's own seams, by the names printed.
const NODE_MARKS = { upstreamWritten: 'node: upstream request written', upstreamHeaders: 'node: upstream headers in', tokenIn: 'node: first token in from upstream', tokenOut: 'node: first token written to client' };

const children = [];
const copy = copyBuildWith(MARKS, 'a phase mark');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'setup-phases-'));
const out = path.join(scratch, 'marks.json');
try {
  const { upstreamPort } = await startUpstream(children);
  const env = { FIRST_TOKEN_TRACE_UPSTREAM_PORT: String(upstreamPort), FIRST_TOKEN_TRACE_OUT: out };
  const gateway = await startBuild(children, copy, upstreamPort, { nodeFlags: ['--import', path.join(here, 'first-token-marks.mjs')], env });
  // As bench/run.mjs warms a target before its scenarios: 8 s of whole requests and 4 s of short
  // unpaced streams, 50 at a time (then, before its one-stream scenario, its whole-request ones).
  await loadFor(gateway.port, { request: { model: 'bench-lat0', stream: false }, concurrency: 50, seconds: 8 });
  const warmedWith = await loadFor(gateway.port, { request: { model: 'bench-stream-20x0', stream: true }, concurrency: 50, seconds: 4 });
  const agent = new http.Agent({ keepAlive: true });
  for (let i = 0; i < warmStreams; i++) await firstToken(gateway.port, agent, model);
  const times = [];
  for (let i = 0; i < count; i++) times.push(await firstToken(gateway.port, agent, model));
  agent.destroy();
  gateway.process.kill('SIGUSR2');
  for (let waited = 0; !existsSync(out) && waited < 5_000; waited += 50) await sleep(50);
  const bySent = new Map(times.map((time) => [time.sent, time.first]));
  const rows = JSON.parse(readFileSync(out, 'utf8')).filter((row) => bySent.get(row.sent) !== undefined);
  for (const row of rows) {
    row['client: first token read'] = bySent.get(row.sent);
    // Before the arrival, the negative offset: the client's send to Node's parse of the request head.
    row['client: request sent'] = row.sent;
  }
  const names = [...new Set(rows.flatMap(Object.keys))].filter((name) => name !== 'sent' && name !== 'arrived');
  const offsets = names.map((name) => [NODE_MARKS[name] ?? name, medianOf(rows.map((row) => row[name] - row.arrived))]).sort((a, b) => a[1] - b[1]);
  console.log(`one stream at a time, ${rows.length} streams of ${model} after ${warmedWith} warm-up streams as the benchmark's and ${warmStreams} more; medians in µs from the request's arrival\n`);
  console.log('| Mark | after arrival | step |');
  console.log('| --- | ---: | ---: |');
  let previous = 0;
  for (const [name, offset] of offsets) {
    console.log(`| ${name} | ${offset} | ${offset - previous} |`);
    previous = offset;
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
  removeCopy(copy);
}
