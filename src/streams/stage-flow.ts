/**
 * One step of a flow: each item becomes none, one or several, synchronously, with hooks for the
 * end, a failure and however the flow settled. It serves both ways of consuming a flow, so a
 * stream's steps are written once: pulled, an item at a time; piped, inside the source's push.
 */
import { DONE, Flow, tellFailure, type FlowPipe, type FlowSink } from './flow.js';

export interface Stage<A, B> {
  /** What one item becomes, emitted synchronously. Throwing fails the flow and stops its source. */
  item(item: A, emit: (item: B) => void): void;
  /** The source ended: the last items, and any wait (a cache write) before the end goes on. Throwing fails the flow. */
  end?(emit: (item: B) => void): void | Promise<void>;
  /** The flow failed: what its consumer is told instead. */
  fail?(error: unknown): unknown;
  /** Once, however the flow settled: ended, failed or left by its consumer (after `end` has finished). */
  settle?(): void;
}

/** The hooks of a stage that watches a flow without changing its items. */
export type Watcher<T> = Omit<Stage<T, T>, 'item'>;

function passThrough<T>(item: T, emit: (item: T) => void): void {
  emit(item);
}

/** A flow's items as they are, with hooks on how it ends; `first` are items already taken from it. */
export function watchFlow<T>(source: Flow<T>, watcher: Watcher<T>, first: readonly T[] = []): Flow<T> {
  return new StageFlow<T, T>(source, { ...watcher, item: passThrough }, first);
}

export class StageFlow<A, B> extends Flow<B> {
  private readonly buffer: B[];
  private readonly toBuffer = (item: B): void => {
    this.buffer.push(item);
  };
  /** No more items will come: the source ended or the flow failed. */
  private finished = false;
  /** The consumer left. */
  private stopped = false;
  private ending = false;
  private settled = false;

  /** `first` are items already taken from the source, handed on before any other. */
  constructor(
    private readonly source: Flow<A>,
    private readonly stage: Stage<A, B>,
    first: readonly B[] = [],
  ) {
    super();
    this.buffer = [...first];
  }

  async next(): Promise<IteratorResult<B, undefined>> {
    for (;;) {
      if (this.buffer.length > 0) return { value: this.buffer.shift() as B, done: false };
      if (this.finished || this.stopped) return DONE;
      let result: IteratorResult<A, undefined>;
      try {
        result = await this.source.next();
      } catch (error) {
        throw this.failed(error);
      }
      if (this.stopped) return DONE;
      if (result.done === true) {
        await this.ended(this.toBuffer);
        continue;
      }
      try {
        this.stage.item(result.value, this.toBuffer);
      } catch (error) {
        await this.source.return();
        throw this.failed(error);
      }
    }
  }

  async return(): Promise<IteratorResult<B, undefined>> {
    if (this.stopped) return DONE;
    this.stopped = true;
    await this.source.return();
    if (!this.ending) this.settle();
    return DONE;
  }

  pipe(sink: FlowSink<B>): FlowPipe {
    let accepting = true;
    const emit = (item: B): void => {
      if (!this.stopped) accepting = sink.push(item) && accepting;
    };
    const fail = (error: unknown): void => {
      if (this.stopped || this.finished) return;
      sink.fail(this.failed(error));
    };
    for (const item of this.buffer.splice(0)) emit(item);
    let upstream: FlowPipe | undefined;
    let stopUpstream = false;
    if (this.finished) {
      if (!this.stopped) sink.end();
    } else {
      upstream = this.source.pipe({
        push: (item) => {
          if (this.stopped || this.finished) return false;
          // A stage that only watches hands each item on as it is, without the emit step.
          if (this.stage.item === passThrough) return sink.push(item as unknown as B);
          accepting = true;
          try {
            this.stage.item(item, emit);
          } catch (error) {
            // Called from within the source's own pipe() when it had items queued: stop it once it returns.
            if (upstream === undefined) stopUpstream = true;
            else upstream.stop();
            fail(error);
            return false;
          }
          return accepting;
        },
        end: () => {
          if (this.stopped || this.finished) return;
          this.ended(emit).then(
            () => {
              if (this.stopped) return;
              try {
                sink.end();
              } catch (error) {
                tellFailure(sink, error);
              }
            },
            (told: unknown) => {
              if (!this.stopped) tellFailure(sink, told);
            },
          );
        },
        fail,
      });
      if (stopUpstream) upstream.stop();
    }
    return {
      resume: () => upstream?.resume(),
      stop: () => {
        if (this.stopped) return;
        this.stopped = true;
        upstream?.stop();
        if (!this.ending) this.settle();
      },
    };
  }

  /** Runs the end hook; a failure there fails the flow and is thrown as what the consumer is told. */
  private async ended(emit: (item: B) => void): Promise<void> {
    this.finished = true;
    this.ending = true;
    try {
      await this.stage.end?.(emit);
    } catch (error) {
      this.ending = false;
      throw this.failed(error);
    }
    this.ending = false;
    this.settle();
  }

  private failed(error: unknown): unknown {
    this.finished = true;
    const told = this.stage.fail === undefined ? error : this.stage.fail(error);
    this.settle();
    return told;
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.stage.settle?.();
  }
}
