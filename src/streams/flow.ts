/**
 * A stream of items that its consumer pulls, as an async iterator, until it has what it needs to
 * decide (a chat stream's first chunk decides its status and whether to fall back), and then may
 * have pushed to it. Pushed, every stage of a token's path runs synchronously inside the upstream
 * body's `data` event; pulled, each stage costs promises per token (bench/README.md, "Performance
 * work"). Every flow serves both, so a consumer that only pulls (GraphQL, tests) sees an ordinary
 * async iterator.
 */

/** Where a piped flow's items go, called synchronously as they come. */
export interface FlowSink<T> {
  /** False asks for a pause until `FlowPipe.resume()`; items already decoded may still come. */
  push(item: T): boolean;
  end(): void;
  fail(error: unknown): void;
}

export interface FlowPipe {
  resume(): void;
  /** The consumer leaves: the flow stops, its upstream request with it, and its sink hears nothing more. */
  stop(): void;
}

export const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * Tells a sink its flow failed, from a place where a throw would escape into an event emitter or
 * a promise nobody awaits (and so end the process): a sink that throws here cannot be told more.
 */
export function tellFailure<T>(sink: FlowSink<T>, error: unknown): void {
  try {
    sink.fail(error);
  } catch {
    // Nothing is left to tell: the flow has already stopped its producer.
  }
}

export abstract class Flow<T> implements AsyncIterableIterator<T, undefined> {
  abstract next(): Promise<IteratorResult<T, undefined>>;
  /** Stops the flow early; resolves once its clean-up ran. */
  abstract return(): Promise<IteratorResult<T, undefined>>;
  /** Hands every later item to `sink`. At most once, never while a `next()` is pending, and nothing is pulled after. */
  abstract pipe(sink: FlowSink<T>): FlowPipe;

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Any async iterable as a flow: a flow as it is, anything else pumped by a loop of its own when piped. */
export function asFlow<T>(iterable: AsyncIterable<T>): Flow<T> {
  return iterable instanceof Flow ? (iterable as Flow<T>) : new IteratorFlow(iterable[Symbol.asyncIterator]());
}

class IteratorFlow<T> extends Flow<T> {
  private stopped = false;

  constructor(private readonly iterator: AsyncIterator<T>) {
    super();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.stopped) return DONE;
    const result = await this.iterator.next();
    return result.done === true ? DONE : result;
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    if (!this.stopped) {
      this.stopped = true;
      await this.iterator.return?.();
    }
    return DONE;
  }

  pipe(sink: FlowSink<T>): FlowPipe {
    let paused = false;
    let wake: (() => void) | undefined;
    const pump = async () => {
      try {
        for (;;) {
          if (paused) await new Promise<void>((resolve) => (wake = resolve));
          if (this.stopped) return;
          const result = await this.iterator.next();
          if (this.stopped) return;
          if (result.done === true) return sink.end();
          paused = !sink.push(result.value);
        }
      } catch (error) {
        if (!this.stopped) tellFailure(sink, error);
      }
    };
    void pump();
    const resume = () => {
      paused = false;
      wake?.();
      wake = undefined;
    };
    return {
      resume,
      stop: () => {
        void this.return();
        resume();
      },
    };
  }
}
