/**
 * A flow fed by a producer's events (an upstream body's `data`, `end` and `error`): held in a small
 * queue while the consumer pulls, handed straight on once it is piped. Either way a consumer that
 * falls behind pauses the producer.
 */
import { DONE, Flow, tellFailure, type FlowPipe, type FlowSink } from './flow.js';

export interface SourceControl {
  pause(): void;
  resume(): void;
  /** The consumer left before the end: release what the producer holds (an upstream request). */
  stop(): void;
}

/** Items held before the producer is paused; a stream's parts are small, so this is a few KiB. */
const HIGH_WATER = 16;

export class SourceFlow<T> extends Flow<T> {
  private readonly queue: T[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private stopped = false;
  private paused = false;
  private waiter: { resolve: (result: IteratorResult<T, undefined>) => void; reject: (error: unknown) => void } | undefined;
  private sink: FlowSink<T> | undefined;

  constructor(private readonly control: SourceControl) {
    super();
  }

  /** True once the flow ended, failed or was stopped: the producer may stop producing. */
  get closed(): boolean {
    return this.ended || this.failure !== undefined || this.stopped;
  }

  emit(item: T): void {
    if (this.closed) return;
    const sink = this.sink;
    if (sink !== undefined) {
      // Inline rather than through deliver(): this runs once per token.
      let accepted: boolean;
      try {
        accepted = sink.push(item);
      } catch (error) {
        this.consumerThrew(sink, error);
        return;
      }
      if (!accepted) this.pause();
      return;
    }
    const waiter = this.takeWaiter();
    if (waiter !== undefined) return waiter.resolve({ value: item, done: false });
    this.queue.push(item);
    if (this.queue.length >= HIGH_WATER) this.pause();
  }

  end(): void {
    if (this.closed) return;
    this.ended = true;
    if (this.sink !== undefined) this.deliver((sink) => sink.end());
    else if (this.queue.length === 0) this.takeWaiter()?.resolve(DONE);
  }

  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    if (this.sink !== undefined) this.deliver((sink) => sink.fail(error));
    else if (this.queue.length === 0) this.takeWaiter()?.reject(error);
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift() as T;
      if (this.paused && this.queue.length < HIGH_WATER / 2) this.resume();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    if (this.ended || this.stopped) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.stop();
    return Promise.resolve(DONE);
  }

  pipe(sink: FlowSink<T>): FlowPipe {
    this.sink = sink;
    let accepting = true;
    // Bound, not closures: `stop` runs once, at the end, and V8 keeps a closure's optimized code only
    // while a closure that ran it is alive, so a closure here was compiled again after every full
    // collection (bench/README.md, "Eleventh pass").
    const pipe: FlowPipe = { resume: this.resume.bind(this), stop: this.stop.bind(this) };
    for (const item of this.queue.splice(0)) {
      if (this.stopped) return pipe;
      this.deliver(() => (accepting = sink.push(item) && accepting));
    }
    const { failure } = this;
    if (failure !== undefined) this.deliver(() => sink.fail(failure.error));
    else if (this.ended) this.deliver(() => sink.end());
    else if (accepting) this.resume();
    else this.pause();
    return pipe;
  }

  /**
   * Calls into the consumer from the producer's own event: what the consumer throws must not
   * escape there (an event emitter would make it an uncaught exception). It fails the flow instead,
   * and the producer is stopped.
   */
  private deliver(call: (sink: FlowSink<T>) => void): void {
    const sink = this.sink;
    if (sink === undefined) return;
    try {
      call(sink);
    } catch (error) {
      this.consumerThrew(sink, error);
    }
  }

  private consumerThrew(sink: FlowSink<T>, error: unknown): void {
    const wasOpen = !this.closed;
    this.failure ??= { error };
    if (wasOpen) this.control.stop();
    tellFailure(sink, error);
  }

  private stop(): void {
    if (this.stopped) return;
    const wasOpen = !this.closed;
    this.stopped = true;
    this.queue.length = 0;
    this.sink = undefined;
    this.takeWaiter()?.resolve(DONE);
    if (wasOpen) this.control.stop();
  }

  private pause(): void {
    if (this.paused || this.closed) return;
    this.paused = true;
    this.control.pause();
  }

  private resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    this.control.resume();
  }

  private takeWaiter(): typeof this.waiter {
    const waiter = this.waiter;
    this.waiter = undefined;
    return waiter;
  }
}
