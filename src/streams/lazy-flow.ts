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

  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.finished) return DONE;
    let inner = this.inner;
    if (inner === undefined) {
      try {
        inner = await this.start();
      } catch (error) {
        this.finished = true;
        throw error;
      }
    }
    return this.finished ? DONE : inner.next();
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
      (inner) => {
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

  private start(): Promise<Flow<T>> {
    this.opening ??= this.open().then((inner) => {
      this.inner = inner;
      if (this.finished) void inner.return();
      return inner;
    });
    return this.opening;
  }
}
