/**
 * An upstream body as an async iterable of its chunks, read in flowing mode ('data' events) and
 * paused while the consumer falls behind. Readable's own async iterator reads in paused mode, a
 * 'readable' event, a read() and a promise per chunk, which measured more CPU per streamed token
 * (bench/README.md, "Performance work"). Same contract as that iterator: an error or a close before
 * the end throws, and stopping early (break, return) destroys the body.
 */
import type { Readable } from 'node:stream';

/** Chunks held before the body is paused; a stream's events are small, so this is a few KiB. */
const HIGH_WATER_CHUNKS = 16;

type Chunk = Buffer | string;

export function bodyChunks(stream: Readable): AsyncIterable<Chunk> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Chunk> {
      const queue: Chunk[] = [];
      let ended = false;
      let failure: Error | undefined;
      let waiter: { resolve: (result: IteratorResult<Chunk>) => void; reject: (error: Error) => void } | undefined;

      const settle = () => {
        const current = waiter;
        if (current === undefined) return;
        if (queue.length > 0) current.resolve({ value: queue.shift() as Chunk, done: false });
        else if (failure !== undefined) current.reject(failure);
        else if (ended) current.resolve({ value: undefined, done: true });
        else return;
        waiter = undefined;
      };
      const onData = (chunk: Chunk) => {
        queue.push(chunk);
        if (queue.length >= HIGH_WATER_CHUNKS) stream.pause();
        settle();
      };
      const onEnd = () => {
        ended = true;
        settle();
      };
      const onError = (error: Error) => {
        failure ??= error;
        settle();
      };
      const onClose = () => {
        if (!ended) failure ??= Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        settle();
      };
      const detach = () => {
        stream.off('data', onData);
        stream.off('end', onEnd);
        stream.off('error', onError);
        stream.off('close', onClose);
      };
      stream.on('data', onData);
      stream.on('end', onEnd);
      stream.on('error', onError);
      stream.on('close', onClose);

      return {
        next: () => {
          if (queue.length > 0) {
            const value = queue.shift() as Chunk;
            if (stream.isPaused() && queue.length < HIGH_WATER_CHUNKS / 2) stream.resume();
            return Promise.resolve({ value, done: false });
          }
          if (failure !== undefined) {
            detach();
            return Promise.reject(failure);
          }
          if (ended) {
            detach();
            return Promise.resolve({ value: undefined, done: true });
          }
          return new Promise((resolve, reject) => {
            waiter = { resolve, reject };
          });
        },
        return: () => {
          detach();
          queue.length = 0;
          if (!stream.destroyed) stream.destroy();
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}
