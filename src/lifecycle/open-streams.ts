/**
 * The one place a long-lived response (an SSE stream, a GraphQL subscription) registers itself:
 * shutdown can end it with a terminal event, and the active-streams gauge counts it. Closing is
 * idempotent, so every exit path of a stream may call it.
 */
import type { GatewayError } from '../errors.js';
import type { GatewayMetrics, Transport } from '../observability/metrics.js';
import type { Lifecycle } from './lifecycle.js';

export class OpenStreams {
  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Registers an open stream; `terminate` ends it at shutdown. Call the returned function when it ends. */
  open(transport: Transport, terminate: (error: GatewayError) => void): () => void {
    const untrack = this.lifecycle.track({ terminate });
    this.metrics.streamOpened(transport);
    // Bound rather than a closure: it runs once, at the stream's end, and V8 keeps a closure's
    // optimized code only while a closure that ran it is alive (bench/README.md, "Eleventh pass").
    return this.close.bind(this, transport, untrack, { closed: false });
  }

  private close(transport: Transport, untrack: () => void, stream: { closed: boolean }): void {
    if (stream.closed) return;
    stream.closed = true;
    untrack();
    this.metrics.streamClosed(transport);
  }
}
