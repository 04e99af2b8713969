/**
 * Shutdown state shared by the whole app. At SIGTERM readiness turns 503 at once, but new work is
 * still taken for SHUTDOWN_DELAY_MS, while the load balancer notices; then new work is refused and
 * everything in flight (whole requests, mutations, streams, subscriptions) gets the grace period to
 * finish. Streams still open then end with a terminal event (SSE) or a close frame (WebSocket),
 * never a dropped socket.
 */
import { GatewayError } from '../errors.js';

export interface OpenStream {
  /** Ends the stream now with this error as its last event. */
  terminate(error: GatewayError): void;
}

export class Lifecycle {
  private stopping = false;
  private refusing = false;
  private requests = 0;
  private readonly streams = new Set<OpenStream>();
  private readonly idleWaiters = new Set<() => void>();

  /** Readiness answers 503 from now on. */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** New work is refused (after the shutdown delay). */
  get refusingNewWork(): boolean {
    return this.refusing;
  }

  beginShutdown(): void {
    this.stopping = true;
  }

  stopAccepting(): void {
    this.refusing = true;
  }

  /** Registers an open stream; call the returned function when it ends. */
  track(stream: OpenStream): () => void {
    this.streams.add(stream);
    // Bound rather than closures, here and below: they run once, at the end, and V8 keeps a
    // closure's optimized code only while a closure that ran it is alive (bench/README.md, "Eleventh pass").
    return this.untrack.bind(this, stream);
  }

  private untrack(stream: OpenStream): void {
    this.streams.delete(stream);
    this.wakeIfIdle();
  }

  /** Counts a request in flight until the returned function is called (idempotent). */
  trackRequest(): () => void {
    this.requests++;
    return this.requestDone.bind(this, { done: false });
  }

  private requestDone(request: { done: boolean }): void {
    if (request.done) return;
    request.done = true;
    this.requests--;
    this.wakeIfIdle();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  get inFlight(): number {
    return this.requests;
  }

  /** Waits up to `graceMs` for requests and streams to finish, then terminates the streams left. */
  async drain(graceMs: number): Promise<void> {
    if (!this.idle()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, graceMs);
        const waiters = this.idleWaiters;
        function finish() {
          clearTimeout(timer);
          waiters.delete(finish);
          resolve();
        }
        this.idleWaiters.add(finish);
      });
    }
    const error = new GatewayError('shutting_down', 'The gateway is restarting; this stream was ended. Retry the request.');
    for (const stream of [...this.streams]) stream.terminate(error);
  }

  private idle(): boolean {
    return this.streams.size === 0 && this.requests === 0;
  }

  private wakeIfIdle(): void {
    if (this.idle()) for (const wake of [...this.idleWaiters]) wake();
  }
}
