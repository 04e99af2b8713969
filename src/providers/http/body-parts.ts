/**
 * An upstream body decoded inside its own `data` events into a flow of parts: no promise per
 * chunk, and once the consumer pipes the flow, no promise per token either. The body is read in
 * flowing mode and paused while the consumer falls behind; a transport failure (a reset, a close
 * before the end, the deadline cutting the request) becomes one last part, as the provider
 * interface wants; a consumer that stops early destroys the body.
 */
import type { Readable } from 'node:stream';
import type { Flow } from '../../streams/flow.js';
import { SourceFlow } from '../../streams/source-flow.js';

/** Decodes a body chunk by chunk, synchronously, handing each part to `emit` as it completes. */
export interface BodyDecoder<Part> {
  push(chunk: Buffer | string, emit: (part: Part) => void): void;
  /** The parts left when the body ended, the last one included. */
  end(emit: (part: Part) => void): void;
  /** True once nothing more in the body counts. */
  readonly done: boolean;
}

export interface BodyPartsHooks<Part> {
  /** The last part for a transport failure. */
  failurePart(error: unknown): Part;
  /** Once, when the body is no longer read: ended, failed or left by the consumer. */
  release(): void;
}

const ignore = (): void => {};

export function bodyParts<Part>(body: Readable, decoder: BodyDecoder<Part>, hooks: BodyPartsHooks<Part>): Flow<Part> {
  let decoding = true;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    decoding = false;
    body.off('data', onData).off('end', onEnd).off('error', onFailure).off('close', onClose);
    // Nothing listens any more; a late socket error must not become an uncaught one.
    body.on('error', ignore);
    hooks.release();
    if (!body.readableEnded) body.destroy();
  };
  const flow = new SourceFlow<Part>({ pause: () => body.pause(), resume: () => body.resume(), stop: release });
  const emit = (part: Part) => flow.emit(part);
  // The parts are complete; the body is still read to its end, so its keep-alive socket is reused
  // rather than destroyed (the upstream's end usually follows `[DONE]` within the same packet).
  const finish = () => {
    decoding = false;
    decoder.end(emit);
    flow.end();
    body.resume();
  };
  // A decoder that throws (a bug, not a bad body: those become error parts) fails the stream
  // rather than escaping into the body's event, where it would be an uncaught exception.
  const onData = (chunk: Buffer | string) => {
    if (!decoding) return;
    try {
      decoder.push(chunk, emit);
      if (decoder.done && decoding) finish();
    } catch (error) {
      failWith(error);
    }
  };
  const onEnd = () => {
    try {
      if (decoding) finish();
    } catch (error) {
      failWith(error);
    }
    release();
  };
  /** Ends the flow with the failure part, unless it has already ended. */
  const failWith = (error: unknown) => {
    decoding = false;
    if (flow.closed) return release();
    const part = hooks.failurePart(error);
    release();
    flow.emit(part);
    flow.end();
  };
  const onFailure = (error: unknown) => {
    if (!decoding) return release();
    failWith(error);
  };
  const onClose = () => {
    if (body.readableEnded) release();
    else onFailure(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  };
  body.on('data', onData).on('end', onEnd).on('error', onFailure).on('close', onClose);
  return flow;
}
