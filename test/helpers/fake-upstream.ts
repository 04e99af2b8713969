/**
 * A fake OpenAI-compatible provider on loopback. It speaks the real wire formats (JSON bodies, SSE
 * with comments, error bodies and headers), records what it was sent, and records when a client
 * aborted a response before it ended: the proof that cancellation reaches the upstream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
  /** The client's side of the connection: the same port for requests on one kept-alive socket. */
  remotePort: number | undefined;
  /** The header lines as they came, names and values alternating: duplicates and case kept. */
  rawHeaders: string[];
}

/** One scripted answer. `pieces` are written as raw bytes with `delayMs` between them. */
export interface Scenario {
  status?: number;
  headers?: Record<string, string>;
  pieces: string[];
  delayMs?: number;
  /** Keep the response open after the last piece (a hung or slow upstream). */
  hold?: boolean;
  /** Wait this long before sending the status line. */
  headerDelayMs?: number;
}

export interface FakeUpstream {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Responses whose client went away before the response ended. */
  readonly aborts: { at: number; path: string }[];
  /** Answers the next chat completion request with this scenario (first in, first out). */
  enqueue(...scenarios: Scenario[]): void;
  /** Used when the queue is empty. */
  setDefault(factory: (request: RecordedRequest) => Scenario): void;
  waitForAbort(timeoutMs?: number): Promise<{ at: number; path: string }>;
  close(): Promise<void>;
}

export interface StreamOptions {
  id?: string;
  model?: string;
  reasoning?: string[];
  reasoningField?: 'reasoning' | 'reasoning_content';
  finishReason?: string | null;
  usage?: Record<string, unknown> | null;
  done?: boolean;
  /** Extra SSE comment lines to interleave, e.g. ': OPENROUTER PROCESSING'. */
  leadingComments?: string[];
}

export function chunkEvent(body: Record<string, unknown>): string {
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** A complete OpenAI-style stream: role chunk, deltas, finish chunk, usage chunk, [DONE]. */
export function openAiStream(tokens: string[], options: StreamOptions = {}): string[] {
  const id = options.id ?? 'gen-test-1';
  const model = options.model ?? 'test/model';
  const base = { id, object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const pieces: string[] = (options.leadingComments ?? []).map((comment) => `${comment}\n\n`);
  pieces.push(chunkEvent({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }));
  for (const reasoning of options.reasoning ?? []) {
    pieces.push(chunkEvent({ ...base, choices: [{ index: 0, delta: { [options.reasoningField ?? 'reasoning']: reasoning }, finish_reason: null }] }));
  }
  for (const token of tokens) {
    pieces.push(chunkEvent({ ...base, choices: [{ index: 0, delta: { content: token }, finish_reason: null }] }));
  }
  if (options.finishReason !== null) {
    pieces.push(chunkEvent({ ...base, choices: [{ index: 0, delta: {}, finish_reason: options.finishReason ?? 'stop' }] }));
  }
  if (options.usage !== null) {
    pieces.push(chunkEvent({ ...base, choices: [], usage: options.usage ?? { prompt_tokens: 5, completion_tokens: tokens.length, total_tokens: 5 + tokens.length } }));
  }
  if (options.done !== false) pieces.push('data: [DONE]\n\n');
  return pieces;
}

export function openAiCompletion(content: string, extra: Record<string, unknown> = {}): Scenario {
  return {
    headers: { 'content-type': 'application/json' },
    pieces: [
      JSON.stringify({
        id: 'gen-test-1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'test/model',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
        ...extra,
      }),
    ],
  };
}

/** An OpenAI-style stream whose answer is one `get_weather` tool call, its arguments in two pieces. */
export function openAiToolCallStream(usage: Record<string, unknown> | null = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 }): string[] {
  const base = { id: 'gen-tool-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'test/model' };
  const call = (delta: Record<string, unknown>) => chunkEvent({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...delta }] }, finish_reason: null }] });
  return [
    call({ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }),
    call({ function: { arguments: '{"city":' } }),
    call({ function: { arguments: '"Paris"}' } }),
    chunkEvent({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
    ...(usage === null ? [] : [chunkEvent({ ...base, choices: [], usage })]),
    'data: [DONE]\n\n',
  ];
}

/** OpenAI's answer with one `get_weather` tool call for Paris. */
export function openAiToolCallCompletion(): Scenario {
  return openAiCompletion('', {
    choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, finish_reason: 'tool_calls' }],
  });
}

/** OpenAI's embeddings answer: one small vector per input, and usage. */
export function openAiEmbeddings(count: number, extra: Record<string, unknown> = {}): Scenario {
  return {
    headers: { 'content-type': 'application/json' },
    pieces: [
      JSON.stringify({
        object: 'list',
        data: Array.from({ length: count }, (_, index) => ({ object: 'embedding', index, embedding: [0.1 * (index + 1), -0.2, 0.3] })),
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 3 * count, total_tokens: 3 * count },
        ...extra,
      }),
    ],
  };
}

export function sseScenario(pieces: string[], delayMs = 0, hold = false): Scenario {
  return { headers: { 'content-type': 'text/event-stream' }, pieces, delayMs, hold };
}

export function errorScenario(status: number, message: string, headers: Record<string, string> = {}, metadata?: Record<string, unknown>): Scenario {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    pieces: [JSON.stringify({ error: { code: status, message, ...(metadata === undefined ? {} : { metadata }) } })],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const aborts: { at: number; path: string }[] = [];
  const queue: Scenario[] = [];
  const abortWaiters: ((abort: { at: number; path: string }) => void)[] = [];
  let fallback: (request: RecordedRequest) => Scenario = (request) => {
    if (request.path.endsWith('/embeddings')) {
      const input = request.body?.input;
      return openAiEmbeddings(Array.isArray(input) && typeof input[0] !== 'number' ? input.length : 1);
    }
    return request.body?.stream === true ? sseScenario(openAiStream(['Hello', ' world'])) : openAiCompletion('Hello world');
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
      remotePort: req.socket.remotePort,
      rawHeaders: req.rawHeaders,
    };
    requests.push(recorded);

    let finished = false;
    res.on('close', () => {
      if (finished) return;
      const abort = { at: Date.now(), path: recorded.path };
      aborts.push(abort);
      for (const waiter of abortWaiters.splice(0)) waiter(abort);
    });

    if (recorded.path.endsWith('/models') && recorded.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ id: 'test/model', owned_by: 'test', created: 1_700_000_000, context_length: 8192 }] }));
      finished = true;
      return;
    }

    const scenario = queue.shift() ?? fallback(recorded);
    if (scenario.headerDelayMs !== undefined) await sleep(scenario.headerDelayMs);
    if (res.destroyed) return;
    res.writeHead(scenario.status ?? 200, scenario.headers ?? {});
    res.flushHeaders();
    for (const piece of scenario.pieces) {
      if (res.destroyed) return;
      res.write(piece);
      if (scenario.delayMs) await sleep(scenario.delayMs);
    }
    if (scenario.hold === true) return;
    finished = true;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    requests,
    aborts,
    enqueue: (...scenarios) => queue.push(...scenarios),
    setDefault: (factory) => {
      fallback = factory;
    },
    waitForAbort: (timeoutMs = 2000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`upstream saw no abort within ${timeoutMs} ms`)), timeoutMs);
        abortWaiters.push((abort) => {
          clearTimeout(timer);
          resolve(abort);
        });
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
