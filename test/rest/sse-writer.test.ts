import { expect } from 'chai';
import type { Response } from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Lifecycle } from '../../src/lifecycle/lifecycle.js';
import { OpenStreams } from '../../src/lifecycle/open-streams.js';
import { createLogger } from '../../src/observability/logger.js';
import { GatewayMetrics } from '../../src/observability/metrics.js';
import { writeSseStream, type SseEncoder } from '../../src/rest/sse-writer.js';

describe('the SSE writer', () => {
  it('closes the chunk stream, and so the upstream call, when a chunk cannot be encoded mid-stream', async () => {
    let upstreamClosed = false;
    async function* chunks(): AsyncGenerator<string> {
      try {
        for (let i = 0; ; i++) {
          yield `t${i}`;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        upstreamClosed = true;
      }
    }
    const encoder: SseEncoder<string> = {
      chunk: (chunk) => {
        if (chunk === 't2') throw new Error('cannot encode');
        return `data: ${chunk}\n\n`;
      },
      end: () => 'data: [DONE]\n\n',
      error: (error) => `data: ${JSON.stringify(error.toBody())}\n\n`,
    };
    const server = http.createServer((_req, res) => {
      // Express's response is a ServerResponse with `locals`, where the writer records the error code.
      const response = Object.assign(res, { locals: {} }) as unknown as Response;
      void writeSseStream(response, chunks(), {
        heartbeatMs: 60_000,
        abort: new AbortController(),
        logger: createLogger('silent'),
        requestId: 'test',
        streams: new OpenStreams(new Lifecycle(), new GatewayMetrics({ processMetrics: false })),
        encoder,
        headersFor: () => ({}),
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const body = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
      expect(body).to.include('data: t1').and.include('internal_error').and.not.include('[DONE]');
      for (let waited = 0; !upstreamClosed && waited < 1_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(upstreamClosed).to.equal(true);
    } finally {
      server.close();
    }
  });
});
