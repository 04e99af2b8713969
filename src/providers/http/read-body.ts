/**
 * Reads an upstream response body into a string, up to a byte limit. Event callbacks rather than
 * `for await`, because this runs once per request on the hot path and the async iterator costs a
 * promise per chunk.
 */
import type { Readable } from 'node:stream';

export interface BodyText {
  text: string;
  /** The body went past the limit: the stream was destroyed and `text` holds the first bytes. */
  truncated: boolean;
}

export function readBody(stream: Readable, limit: number, onProgress: () => void): Promise<BodyText> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (truncated: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ text: Buffer.concat(chunks).toString('utf8'), truncated });
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    stream.on('data', (chunk: Buffer | string) => {
      if (settled) return;
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      onProgress();
      size += buffer.length;
      if (size > limit) {
        finish(true);
        stream.destroy();
        return;
      }
      chunks.push(buffer);
    });
    stream.once('end', () => finish(false));
    stream.once('error', fail);
    // Destroyed without an error (an abort): the body is incomplete. Every body closes after its
    // end, so the error (and its stack trace, a measurable cost) is made only when it is one.
    stream.once('close', () => {
      if (!settled) fail(Object.assign(new Error('the response ended before it was complete'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}
