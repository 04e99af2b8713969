// Where a request's or a stream's CPU goes, by bounds: copies the working tree's build, cuts one
// part out of the copy's compiled JavaScript, and A/Bs the real build (A) against the cut one (B)
// with bench/ab-runner.mjs. B/A is what is left without that part. A bound is a measurement, never
// a build to ship: it drops behaviour. When the code moves, a bound whose anchor no longer matches
// stops with a message naming it, rather than measuring something else.
// Usage: node bench/bounds.mjs <bound> [rounds]   (after npm run build; bounds are listed without one)
// BOUND_SCENARIO=stream-1 measures a stream bound on one-token streams: what a stream's set-up costs.
import { compareBuilds, copyBuildWith, removeCopy } from './ab-runner.mjs';
import { root } from './processes.mjs';

const HANDLER = 'dist/src/rest/chat-completions-handler.js';
const BODY_PARTS = 'dist/src/providers/http/body-parts.js';
const WHOLE_CALL = 'const result = await deps.gateway.createChatCompletion(command, context);';
const STREAM_BRANCH = 'if (stream) {';
const answer = (response) => `sendJson(res, ${response}, {});\n        return;\n        `;
const upstreamPort = "Number(new URL(process.env.OPENROUTER_BASE_URL).port)";
const HOT_ROUTES = 'dist/src/http/hot-routes.js';
// Reads the body if nothing has yet, then answers a fixed completion: the least a JSON route does.
const answerAtOnce = `const reply = () => {
                const body = JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }] });
                res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
                res.end(body);
            };
            if (req.body !== undefined) reply();
            else {
                const chunks = [];
                req.on('data', (chunk) => chunks.push(chunk)).on('end', () => {
                    JSON.parse(Buffer.concat(chunks).toString());
                    reply();
                });
            }
            return;
`;

/** Each bound: the scenario it measures and the cuts, as [file, anchor, text put before the anchor]. */
const BOUNDS = {
  'bare-edge': {
    scenario: 'whole',
    what: "Node's HTTP server and terminus only: the hot-route listener reads the body and answers at once",
    cuts: [[HOT_ROUTES, 'this.serve(hot, ', `{\n            ${answerAtOnce}        }\n        `]],
  },
  edge: {
    scenario: 'whole',
    what: 'the HTTP edge alone: the chat handler answers at once, with no upstream call and no gateway service',
    cuts: [[HANDLER, WHOLE_CALL, answer("{ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }] }")]],
  },
  'bare-upstream': {
    scenario: 'whole',
    what: 'the HTTP edge and a bare keep-alive node:http exchange with the upstream, parsed and answered as it came',
    cuts: [
      [HANDLER, WHOLE_CALL, `const text = await new Promise((resolve, reject) => {
            const body = JSON.stringify({ ...req.body, model: command.model });
            const request = globalThis.boundHttp.request({ host: '127.0.0.1', port: ${upstreamPort}, path: '/v1/chat/completions', method: 'POST', agent: globalThis.boundAgent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer x' } }, (upstream) => {
                const chunks = [];
                upstream.on('data', (chunk) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks).toString())).on('error', reject);
            });
            request.on('error', reject);
            request.end(body);
        });
        ${answer('JSON.parse(text)')}`],
      [HANDLER, 'export function createChatCompletionsHandler', "import boundHttp from 'node:http';\nglobalThis.boundHttp = boundHttp;\nglobalThis.boundAgent = new boundHttp.Agent({ keepAlive: true, maxSockets: 256 });\n"],
    ],
  },
  provider: {
    scenario: 'whole',
    what: 'the HTTP edge and the provider layer (provider.complete), without the gateway service',
    cuts: [[HANDLER, WHOLE_CALL, `const response = await deps.gateway.deps.registry.get('openrouter').provider.complete({ ...command, model: command.model }, { signal: abort.signal, requestId: facts.requestId });
        ${answer("{ id: response.id, object: 'chat.completion', created: response.created, model: response.model, choices: [{ index: 0, message: { role: 'assistant', content: response.content }, finish_reason: response.finishReason }] }")}`]],
  },
  'raw-stream': {
    scenario: 'stream',
    what: "the HTTP edge, the upstream request and the provider's body written through as it came, nothing decoded",
    cuts: [
      [BODY_PARTS, 'this.decoder.push(chunk, this.emit);', "this.emit({ type: 'raw', chunk });\n            return;\n            "],
      [HANDLER, STREAM_BRANCH, `if (stream) {
            res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
            for await (const part of deps.gateway.deps.registry.get('openrouter').provider.stream({ ...command, model: command.model }, { signal: abort.signal, requestId: facts.requestId })) {
                if (part.type === 'raw') res.write(part.chunk);
            }
            res.end();
            return;
        }
        `],
    ],
  },
  'decoded-stream': {
    scenario: 'stream',
    what: "the HTTP edge and the provider's decoded stream, each text chunk written as it came, without the gateway service",
    cuts: [[HANDLER, STREAM_BRANCH, `if (stream) {
            res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
            const facts_ = ',"x_gateway":{"provider":"openrouter","attempts":1,"cache":"BYPASS"}}';
            // Piped, as the real stream is once committed: each part written inside the upstream's data event.
            const parts = deps.gateway.deps.registry.get('openrouter').provider.stream({ ...command, model: command.model }, { signal: abort.signal, requestId: facts.requestId });
            await new Promise((resolve) => parts.pipe({
                push: (part) => {
                    if (part.type === 'text-delta' && part.verbatim !== undefined) res.write(\`data: \${part.verbatim.slice(0, -1)}\${facts_}\\n\\n\`);
                    return true;
                },
                end: () => resolve(res.end('data: [DONE]\\n\\n')),
                fail: () => resolve(res.end()),
            }));
            return;
        }
        `]],
  },
  'pushed-stream': {
    scenario: 'stream',
    what: 'edge, a bare upstream request, the body decoded synchronously in its data events and each text chunk written at once: no promise per token',
    cuts: [
      [HANDLER, STREAM_BRANCH, `if (stream) {
            const body = JSON.stringify({ ...req.body, model: command.model, stream: true, stream_options: { include_usage: true } });
            const decoder = new globalThis.PushDecoder({ providerId: 'openrouter', secrets: [] }, () => {});
            const facts_ = ',"x_gateway":{"provider":"openrouter","attempts":1,"cache":"BYPASS"}}';
            await new Promise((resolve, reject) => {
                const request = globalThis.pushHttp.request({ host: '127.0.0.1', port: ${upstreamPort}, path: '/v1/chat/completions', method: 'POST', agent: globalThis.pushAgent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer x', accept: 'text/event-stream' } }, (upstream) => {
                    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
                    upstream.on('data', (chunk) => {
                        decoder.push(chunk, (part) => {
                            if (part.type === 'text-delta' && part.verbatim !== undefined) res.write(\`data: \${part.verbatim.slice(0, -1)}\${facts_}\\n\\n\`);
                        });
                    });
                    upstream.on('end', () => { res.end('data: [DONE]\\n\\n'); resolve(); }).on('error', reject);
                });
                request.on('error', reject);
                request.end(body);
            });
            return;
        }
        `],
      [HANDLER, 'export function createChatCompletionsHandler', "import pushHttp from 'node:http';\nimport { ChatStreamDecoder as PushDecoder } from '../providers/openai-compatible/events-to-stream-parts.js';\nglobalThis.pushHttp = pushHttp;\nglobalThis.PushDecoder = PushDecoder;\nglobalThis.pushAgent = new pushHttp.Agent({ keepAlive: true, maxSockets: 256 });\n"],
    ],
  },
};

const [name, rounds = '6'] = process.argv.slice(2);
// `chain:<n>`: the hot chat route answers at once before the n-th function of its chain (0: before
// the first middleware; the order is in src/app/express-app.ts and src/rest/routes.ts).
const chainAt = /^chain:(\d+)$/.exec(name ?? '')?.[1];
if (chainAt !== undefined) {
  BOUNDS[name] = {
    scenario: 'whole',
    what: `the hot chat route answers at once before function ${chainAt} of its chain`,
    cuts: [[HOT_ROUTES, 'const handler = hot.chain[this.index++];', `if (this.index === ${Number(chainAt)}) {\n            const res = this.res;\n            ${answerAtOnce}        }\n        `]],
  };
}
const bound = BOUNDS[name];
if (bound === undefined) {
  console.log(`Usage: node bench/bounds.mjs <bound> [rounds]\n  chain:<n>       (whole) the hot chat route answers at once before function n of its chain\n${Object.entries(BOUNDS).map(([key, { scenario, what }]) => `  ${key.padEnd(15)} (${scenario}) ${what}`).join('\n')}`);
  process.exit(name === undefined ? 0 : 1);
}

const copy = copyBuildWith(bound.cuts, `bound ${name}`);
try {
  // A stream bound can be measured on one-token streams too (BOUND_SCENARIO=stream-1): a stream's set-up alone.
  const scenario = bound.scenario === 'stream' && process.env.BOUND_SCENARIO === 'stream-1' ? 'stream-1' : bound.scenario;
  const ratio = await compareBuilds(root, copy, scenario, Number(rounds));
  const measured = { whole: 'request', stream: 'stream', 'stream-1': 'one-token stream' }[scenario];
  console.log(`${name} (${bound.what}): ${(ratio.cpu * 100).toFixed(1)}% of the real ${measured}'s CPU (median of ${rounds}; A = the working tree's build, B = the same with the cut)`);
} finally {
  removeCopy(copy);
}
