import { expect } from 'chai';
import { asFlow, type Flow, type FlowSink } from '../../src/streams/flow.js';
import { LazyFlow } from '../../src/streams/lazy-flow.js';
import { SourceFlow } from '../../src/streams/source-flow.js';
import { StageFlow, watchFlow, type Stage } from '../../src/streams/stage-flow.js';

/** A source whose producer the test drives, recording what its consumer asked of it. */
function source<T>() {
  const control = { paused: false, stopped: 0 };
  const flow = new SourceFlow<T>({ pause: () => (control.paused = true), resume: () => (control.paused = false), stop: () => control.stopped++ });
  return { flow, control };
}

/** A sink that records everything, accepting items while `accept` says so. */
function recorder<T>(accept = () => true) {
  const seen: { items: T[]; ended: number; failures: unknown[] } = { items: [], ended: 0, failures: [] };
  const sink: FlowSink<T> = {
    push: (item) => {
      seen.items.push(item);
      return accept();
    },
    end: () => seen.ended++,
    fail: (error) => seen.failures.push(error),
  };
  return { seen, sink };
}

async function pullAll<T>(flow: Flow<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of flow) items.push(item);
  return items;
}

/** Doubles even numbers, drops odd ones, and adds a last item at the end. */
function doubling(log: string[]): Stage<number, number> {
  return {
    item: (n, emit) => {
      if (n % 2 === 0) {
        emit(n);
        emit(n);
      }
    },
    end: async (emit) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push('end');
      emit(-1);
    },
    settle: () => log.push('settle'),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('flows', () => {
  it('give the same items pulled or piped, the end hook finishing before the end is told', async () => {
    const pulledLog: string[] = [];
    const pulled = source<number>();
    const pulling = pullAll(new StageFlow(pulled.flow, doubling(pulledLog)));
    [1, 2, 3, 4].forEach((n) => pulled.flow.emit(n));
    pulled.flow.end();
    expect(await pulling).to.deep.equal([2, 2, 4, 4, -1]);
    expect(pulledLog).to.deep.equal(['end', 'settle']);

    const pipedLog: string[] = [];
    const piped = source<number>();
    const stage = new StageFlow(piped.flow, doubling(pipedLog));
    const { seen, sink } = recorder<number>();
    piped.flow.emit(2);
    expect((await stage.next()).value).to.equal(2);
    stage.pipe(sink);
    [3, 4].forEach((n) => piped.flow.emit(n));
    // Pushed items arrive synchronously, inside the producer's own call.
    expect(seen.items).to.deep.equal([2, 4, 4]);
    piped.flow.end();
    expect(seen.ended).to.equal(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).to.deep.equal({ items: [2, 4, 4, -1], ended: 1, failures: [] });
    expect(pipedLog).to.deep.equal(['end', 'settle']);
  });

  it('stop their source and tell the stage failure when an item fails, settling once', async () => {
    const log: string[] = [];
    const { flow, control } = source<number>();
    const stage = new StageFlow<number, number>(flow, {
      item: (n, emit) => {
        if (n === 3) throw new Error('bad item');
        emit(n);
      },
      fail: (error) => new Error(`told: ${(error as Error).message}`),
      settle: () => log.push('settle'),
    });
    flow.emit(1);
    await stage.next();
    const { seen, sink } = recorder<number>();
    stage.pipe(sink);
    flow.emit(2);
    flow.emit(3);
    flow.emit(4);
    expect(seen.items).to.deep.equal([2]);
    expect((seen.failures[0] as Error).message).to.equal('told: bad item');
    expect(control.stopped).to.equal(1);
    expect(log).to.deep.equal(['settle']);
  });

  it('stop their source when the consumer leaves, settling without an end or a failure', async () => {
    const log: string[] = [];
    const { flow, control } = source<number>();
    const stage = new StageFlow<number, number>(flow, { item: (n, emit) => emit(n), end: () => void log.push('end'), fail: (e) => (log.push('fail'), e), settle: () => log.push('settle') });
    flow.emit(1);
    await stage.next();
    const { seen, sink } = recorder<number>();
    const pipe = stage.pipe(sink);
    pipe.stop();
    flow.emit(2);
    flow.end();
    expect(control.stopped).to.equal(1);
    expect(seen).to.deep.equal({ items: [], ended: 0, failures: [] });
    expect(log).to.deep.equal(['settle']);

    const pulled = source<number>();
    const pulledStage = new StageFlow<number, number>(pulled.flow, { item: (n, emit) => emit(n), settle: () => log.push('settle pulled') });
    pulled.flow.emit(1);
    await pulledStage.next();
    await pulledStage.return();
    expect(pulled.control.stopped).to.equal(1);
    expect(log).to.deep.equal(['settle', 'settle pulled']);
  });

  it('pause their producer while the consumer falls behind, pulled or piped', async () => {
    const pulled = source<number>();
    for (let i = 0; i < 20; i++) pulled.flow.emit(i);
    expect(pulled.control.paused).to.equal(true);
    for (let i = 0; i < 13; i++) await pulled.flow.next();
    expect(pulled.control.paused).to.equal(false);

    const piped = source<number>();
    let accept = true;
    const { seen, sink } = recorder<number>(() => accept);
    const pipe = piped.flow.pipe(sink);
    piped.flow.emit(1);
    accept = false;
    piped.flow.emit(2);
    expect(piped.control.paused).to.equal(true);
    accept = true;
    pipe.resume();
    expect(piped.control.paused).to.equal(false);
    expect(seen.items).to.deep.equal([1, 2]);
  });

  it('pump any async iterable when piped, waiting while the sink asks for a pause', async () => {
    let produced = 0;
    let closed = false;
    async function* numbers() {
      try {
        for (;;) {
          yield produced++;
          await tick();
        }
      } finally {
        closed = true;
      }
    }
    let accept = false;
    const { seen, sink } = recorder<number>(() => accept);
    const pipe = asFlow(numbers()).pipe(sink);
    await tick();
    expect(seen.items).to.deep.equal([0]);
    accept = true;
    pipe.resume();
    await new Promise((resolve) => setTimeout(resolve, 20));
    pipe.stop();
    await tick();
    expect(seen.items.length).to.be.greaterThan(1);
    expect(closed).to.equal(true);
    expect(seen.ended + seen.failures.length).to.equal(0);
  });

  it('keep what a consumer throws out of the producer\'s event: the producer is stopped and the flow fails', () => {
    const { flow, control } = source<number>();
    const failures: unknown[] = [];
    flow.pipe({
      push: () => {
        throw new Error('consumer bug');
      },
      end: () => {},
      fail: (error) => failures.push(error),
    });
    expect(() => flow.emit(1)).not.to.throw();
    expect(control.stopped).to.equal(1);
    expect((failures[0] as Error).message).to.equal('consumer bug');
    expect(() => flow.emit(2)).not.to.throw();
    expect(failures).to.have.length(1);
  });

  it('watch a flow: its items go on as they are, first the ones already taken, and the hooks hear how it ended', async () => {
    const log: string[] = [];
    const { flow } = source<number>();
    const watched = watchFlow(flow, { end: () => void log.push('end'), settle: () => log.push('settle') }, [0]);
    expect((await watched.next()).value).to.equal(0);
    const { seen, sink } = recorder<number>();
    watched.pipe(sink);
    flow.emit(1);
    flow.emit(2);
    flow.end();
    await tick();
    expect(seen).to.deep.equal({ items: [1, 2], ended: 1, failures: [] });
    expect(log).to.deep.equal(['end', 'settle']);
  });

  it('watch a flow with a watcher whose hooks are methods: a failure reaches them with the watcher as `this`', async () => {
    // The executor's watcher is a class instance; its hooks live on its prototype, not on itself.
    class Watch {
      readonly log: string[] = [];
      fail(error: unknown): unknown {
        this.log.push(`fail ${String(error)}`);
        return 'told';
      }
      settle(): void {
        this.log.push('settle');
      }
    }
    const watcher = new Watch();
    const { flow } = source<number>();
    const { seen, sink } = recorder<number>();
    watchFlow(flow, watcher).pipe(sink);
    flow.emit(1);
    flow.fail('cut');
    await tick();
    expect(seen).to.deep.equal({ items: [1], ended: 0, failures: ['told'] });
    expect(watcher.log).to.deep.equal(['fail cut', 'settle']);
  });

  it('open lazily, throw a failure to open from the first next(), and close what opened after the consumer left', async () => {
    let opened = 0;
    const failing = new LazyFlow<number>(async () => {
      opened++;
      throw new Error('no upstream');
    });
    expect(opened).to.equal(0);
    const error = await failing.next().then(() => undefined, (caught: unknown) => caught as Error);
    expect(error?.message).to.equal('no upstream');
    expect((await failing.next()).done).to.equal(true);

    const inner = source<number>();
    let open!: (flow: Flow<number>) => void;
    const slow = new LazyFlow<number>(() => new Promise((resolve) => (open = resolve)));
    const first = slow.next();
    const leaving = slow.return();
    open(inner.flow);
    await leaving;
    expect((await first).done).to.equal(true);
    expect(inner.control.stopped).to.equal(1);
  });

  it("once open, hand on the opened flow's own pull: a lazy flow adds no turn per item", async () => {
    const inner = source<number>();
    const lazy = new LazyFlow<number>(async () => inner.flow);
    inner.flow.emit(1);
    expect(await lazy.next()).to.deep.equal({ value: 1, done: false });
    const pulled = Promise.resolve({ value: 2, done: false as const });
    inner.flow.next = () => pulled;
    expect(lazy.next()).to.equal(pulled);
  });
});
