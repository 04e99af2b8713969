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
  return new BodyReader(body, decoder, hooks).flow;
}

/**
 * One body being read. Its end listeners are bound methods, not closures made per body: V8 keeps a
 * closure's optimized code only while a closure that ran it is alive, and most instances of a
 * closure that runs at a body's end have not run yet, so its code was compiled again after every
 * full collection (bench/README.md, "Eleventh pass").
 */
class BodyReader<Part> {
  readonly flow: SourceFlow<Part>;
  private decoding = true;
  private released = false;
  private readonly emit: (part: Part) => void;
  private readonly onData: (chunk: Buffer | string) => void;
  private readonly onEnd: () => void;
  private readonly onFailure: (error: unknown) => void;
  private readonly onClose: () => void;

  constructor(
    private readonly body: Readable,
    private readonly decoder: BodyDecoder<Part>,
    private readonly hooks: BodyPartsHooks<Part>,
  ) {
    const flow = (this.flow = new SourceFlow<Part>(this));
    // Closures where they run per token: every open body's have run, so V8 keeps their code.
    this.emit = (part) => flow.emit(part);
    this.onData = (chunk) => this.data(chunk);
    this.onEnd = this.ended.bind(this);
    this.onFailure = this.failed.bind(this);
    this.onClose = this.closed.bind(this);
    body.on('data', this.onData).on('end', this.onEnd).on('error', this.onFailure).on('close', this.onClose);
  }

  // The flow's control.
  pause(): void {
    this.body.pause();
  }

  resume(): void {
    this.body.resume();
  }

  stop(): void {
    this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.decoding = false;
    const { body } = this;
    body.off('data', this.onData).off('end', this.onEnd).off('error', this.onFailure).off('close', this.onClose);
    // Nothing listens any more; a late socket error must not become an uncaught one.
    body.on('error', ignore);
    this.hooks.release();
    if (!body.readableEnded) body.destroy();
  }

  // The parts are complete; the body is still read to its end, so its keep-alive socket is reused
  // rather than destroyed (the upstream's end usually follows `[DONE]` within the same packet).
  private finish(): void {
    this.decoding = false;
    this.decoder.end(this.emit);
    this.flow.end();
    this.body.resume();
  }

  // A decoder that throws (a bug, not a bad body: those become error parts) fails the stream
  // rather than escaping into the body's event, where it would be an uncaught exception.
  private data(chunk: Buffer | string): void {
    if (!this.decoding) return;
    try {
      this.decoder.push(chunk, this.emit);
      if (this.decoder.done && this.decoding) this.finish();
    } catch (error) {
      this.failWith(error);
    }
  }

  private ended(): void {
    try {
      if (this.decoding) this.finish();
    } catch (error) {
      this.failWith(error);
    }
    this.release();
  }

  /** Ends the flow with the failure part, unless it has already ended. */
  private failWith(error: unknown): void {
    this.decoding = false;
    const { flow } = this;
    if (flow.closed) return this.release();
    const part = this.hooks.failurePart(error);
    this.release();
    flow.emit(part);
    flow.end();
  }

  private failed(error: unknown): void {
    if (!this.decoding) return this.release();
    this.failWith(error);
  }

  private closed(): void {
    if (this.body.readableEnded) this.release();
    else this.failed(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  }
}
