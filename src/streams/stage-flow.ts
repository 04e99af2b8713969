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
  // Bound rather than spread: a watcher may be a class instance, whose hooks are not its own properties.
  const stage: Stage<T, T> = { item: passThrough };
  if (watcher.end !== undefined) stage.end = watcher.end.bind(watcher);
  if (watcher.fail !== undefined) stage.fail = watcher.fail.bind(watcher);
  if (watcher.settle !== undefined) stage.settle = watcher.settle.bind(watcher);
  return new StageFlow<T, T>(source, stage, first);
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

  // Piping keeps its state in fields and its once-run hooks as bound methods, not closures made per
  // pipe: V8 keeps a closure's optimized code only while a closure that ran it is alive, and most
  // instances of a closure that runs at a stream's end have not run yet, so their code was compiled
  // again after every full collection (bench/README.md, "Eleventh pass").
  private sink: FlowSink<B> | undefined;
  private accepting = true;
  private upstream: FlowPipe | undefined;
  private stopUpstream = false;
  private readonly emitToSink = (item: B): void => {
    if (!this.stopped) this.accepting = this.sink!.push(item) && this.accepting;
  };

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
    this.sink = sink;
    for (const item of this.buffer.splice(0)) this.emitToSink(item);
    if (this.finished) {
      if (!this.stopped) sink.end();
    } else {
      this.upstream = this.source.pipe({ push: (item) => this.pushFromSource(item), end: this.sourceEnded.bind(this), fail: this.sourceFailed.bind(this) });
      if (this.stopUpstream) this.upstream.stop();
    }
    return { resume: this.resumeSource.bind(this), stop: this.stopPipe.bind(this) };
  }

  private pushFromSource(item: A): boolean {
    if (this.stopped || this.finished) return false;
    // A stage that only watches hands each item on as it is, without the emit step.
    if (this.stage.item === passThrough) return this.sink!.push(item as unknown as B);
    this.accepting = true;
    try {
      this.stage.item(item, this.emitToSink);
    } catch (error) {
      // Called from within the source's own pipe() when it had items queued: stop it once it returns.
      if (this.upstream === undefined) this.stopUpstream = true;
      else this.upstream.stop();
      this.sourceFailed(error);
      return false;
    }
    return this.accepting;
  }

  private sourceEnded(): void {
    if (this.stopped || this.finished) return;
    this.ended(this.emitToSink).then(this.tellEnd.bind(this), this.tellSinkFailure.bind(this));
  }

  private tellEnd(): void {
    if (this.stopped) return;
    const sink = this.sink!;
    try {
      sink.end();
    } catch (error) {
      tellFailure(sink, error);
    }
  }

  private tellSinkFailure(told: unknown): void {
    if (!this.stopped) tellFailure(this.sink!, told);
  }

  private sourceFailed(error: unknown): void {
    if (this.stopped || this.finished) return;
    this.sink!.fail(this.failed(error));
  }

  private resumeSource(): void {
    this.upstream?.resume();
  }

  private stopPipe(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.upstream?.stop();
    if (!this.ending) this.settle();
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
