// A fake OpenAI-compatible upstream for benchmarks. The model name carries the behaviour, because
// every target forwards it untouched: "bench-lat50" answers after 50 ms; "bench-stream-100x5"
// streams 100 tokens 5 ms apart; "bench-stream-100x5-routed" does so in OpenRouter's chunk shape.
import http from 'node:http';

const port = Number(process.argv[2] ?? 0);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function completion(model) {
  return JSON.stringify({
    id: 'gen-bench',
    object: 'chat.completion',
    created: 1732000000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the benchmark upstream.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
  });
}

const server = http.createServer(async (req, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'bench-lat0' }] }));
    return;
  }
  const body = JSON.parse(raw || '{}');
  const model = String(body.model ?? 'bench-lat0');
  const stream = /bench-stream-(\d+)x(\d+)/.exec(model);
  if (body.stream === true) {
    const [tokens, interval] = stream === null ? [10, 0] : [Number(stream[1]), Number(stream[2])];
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    // "-routed" in the model: OpenRouter's chunks, which name the provider that served them and
    // repeat the role on every text chunk.
    const routed = model.includes('-routed');
    const base = routed
      ? { id: 'gen-bench', provider: 'DeepSeek', model, object: 'chat.completion.chunk', created: 1732000000, system_fingerprint: null }
      : { id: 'gen-bench', object: 'chat.completion.chunk', created: 1732000000, model };
    const choice = (delta) => (routed ? { index: 0, delta: { role: 'assistant', ...delta }, finish_reason: null, native_finish_reason: null, logprobs: null } : { index: 0, delta, finish_reason: null });
    res.write(`data: ${JSON.stringify({ ...base, choices: [choice({ role: 'assistant', content: '' })] })}\n\n`);
    for (let i = 0; i < tokens && !res.destroyed; i++) {
      if (interval > 0) await sleep(interval);
      res.write(`data: ${JSON.stringify({ ...base, choices: [choice({ content: `t${i} ` })] })}\n\n`);
    }
    res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: tokens, total_tokens: 12 + tokens } })}\n\n`);
    res.end('data: [DONE]\n\n');
    return;
  }
  const latency = /bench-lat(\d+)/.exec(model);
  if (latency !== null && Number(latency[1]) > 0) await sleep(Number(latency[1]));
  res.writeHead(200, { 'content-type': 'application/json' }).end(completion(model));
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.send?.({ port: server.address().port }));
