/**
 * A flow fed by a producer's events (an upstream body's `data`, `end` and `error`): held in a small
 * queue while the consumer pulls, handed straight on once it is piped. Either way a consumer that
 * falls behind pauses the producer.
 */
import { DONE, Flow, type FlowPipe, type FlowSink } from './flow.js';

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
    if (this.sink !== undefined) {
      if (!this.sink.push(item)) this.pause();
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
    if (this.sink !== undefined) this.sink.end();
    else if (this.queue.length === 0) this.takeWaiter()?.resolve(DONE);
  }

  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    if (this.sink !== undefined) this.sink.fail(error);
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
    for (const item of this.queue.splice(0)) if (!this.stopped) accepting = sink.push(item) && accepting;
    if (this.failure !== undefined) sink.fail(this.failure.error);
    else if (this.ended) sink.end();
    else if (accepting) this.resume();
    else this.pause();
    return { resume: () => this.resume(), stop: () => this.stop() };
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
