/**
 * Shutdown state shared by the whole app: whether shutdown has begun, and the streams still open.
 * Draining waits for open streams to end by themselves within a grace period, then ends the rest
 * with a terminal event (SSE) or a close frame (WebSocket), never a dropped socket.
 */
import { GatewayError } from '../errors.js';

export interface OpenStream {
  /** Ends the stream now with this error as its last event. */
  terminate(error: GatewayError): void;
}

export class Lifecycle {
  private stopping = false;
  private readonly streams = new Set<OpenStream>();
  private readonly drained = new Set<() => void>();

  get shuttingDown(): boolean {
    return this.stopping;
  }

  beginShutdown(): void {
    this.stopping = true;
  }

  /** Registers an open stream; call the returned function when it ends. */
  track(stream: OpenStream): () => void {
    this.streams.add(stream);
    return () => {
      this.streams.delete(stream);
      if (this.streams.size === 0) for (const resolve of this.drained) resolve();
    };
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Waits up to `graceMs` for open streams to finish, then terminates those left. */
  async drain(graceMs: number): Promise<void> {
    if (this.streams.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, graceMs);
        function finish() {
          clearTimeout(timer);
          resolve();
        }
        this.drained.add(finish);
      });
    }
    const error = new GatewayError('shutting_down', 'The gateway is restarting; this stream was ended. Retry the request.');
    for (const stream of [...this.streams]) stream.terminate(error);
  }
}
