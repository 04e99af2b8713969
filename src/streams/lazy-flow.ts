/**
 * A flow that does nothing until it is first pulled or piped, then opens the flow it stands for
 * (the checks, the fallback and the upstream request of a stream). A failure to open is thrown by
 * that first `next()`, as an async generator would.
 */
import { DONE, Flow, tellFailure, type FlowPipe, type FlowSink } from './flow.js';

export class LazyFlow<T> extends Flow<T> {
  private inner: Flow<T> | undefined;
  private opening: Promise<Flow<T>> | undefined;
  private finished = false;

  constructor(private readonly open: () => Promise<Flow<T>>) {
    super();
  }

  // Not an async function: once open, a pull is the inner flow's own promise, with no turn of ours
  // around it (returning a promise from an async function costs two more).
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.finished) return Promise.resolve(DONE);
    const inner = this.inner;
    return inner === undefined ? this.openThenNext() : inner.next();
  }

  private async openThenNext(): Promise<IteratorResult<T, undefined>> {
    let inner: Flow<T>;
    try {
      inner = this.adopt(await this.start());
    } catch (error) {
      this.finished = true;
      throw error;
    }
    return this.finished ? DONE : await inner.next();
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    if (this.finished) return DONE;
    this.finished = true;
    // A flow still opening is stopped once open; the opening itself is bounded by the caller's signal and deadlines.
    const inner = this.inner ?? (await this.opening?.catch(() => undefined));
    await inner?.return();
    return DONE;
  }

  pipe(sink: FlowSink<T>): FlowPipe {
    if (this.inner !== undefined) return this.inner.pipe(sink);
    let pipe: FlowPipe | undefined;
    let stopped = false;
    this.start().then(
      (opened) => {
        const inner = this.adopt(opened);
        if (stopped || this.finished) return;
        pipe = inner.pipe(sink);
      },
      (error: unknown) => {
        if (!stopped) tellFailure(sink, error);
      },
    );
    return {
      resume: () => pipe?.resume(),
      stop: () => {
        stopped = true;
        if (pipe !== undefined) pipe.stop();
        else void this.return();
      },
    };
  }

  /** The opening, started once: the opener's own promise, awaited directly by whoever waits for it. */
  private start(): Promise<Flow<T>> {
    this.opening ??= this.open();
    return this.opening;
  }

  /** The opened flow, kept; closed at once when this flow finished while it was opening. Idempotent. */
  private adopt(inner: Flow<T>): Flow<T> {
    if (this.inner === undefined) {
      this.inner = inner;
      if (this.finished) void inner.return();
    }
    return inner;
  }
}
