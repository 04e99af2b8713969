/**
 * Identical requests in flight at the same time share one upstream call. A stream is broadcast:
 * late joiners get the chunks so far, then the rest. The shared call is aborted only when every
 * client waiting on it has gone. Per process: across replicas the response cache catches repeats.
 */
import type { ChatChunk } from '../vocabulary/chat-results.js';

interface StreamFlight {
  chunks: ChatChunk[];
  /** The client that started the flight left before it ended: someone else must pay for the rest. */
  ownerLeft: boolean;
  /** A joiner took over paying for the flight. */
  ownerTaken: boolean;
  done: boolean;
  failed: boolean;
  error: unknown;
  listeners: Set<() => void>;
  subscribers: number;
  abort: AbortController;
}

interface CallFlight<T> {
  promise: Promise<T>;
  subscribers: number;
  abort: AbortController;
}

function onAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export class RequestCoalescer {
  private readonly calls = new Map<string, CallFlight<unknown>>();
  private readonly streams = new Map<string, StreamFlight>();

  /** `coalesced` is true for every caller but the one that started the call. */
  async call<T>(key: string, clientSignal: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; coalesced: boolean }> {
    let flight = this.calls.get(key) as CallFlight<T> | undefined;
    const coalesced = flight !== undefined;
    if (flight === undefined) {
      const abort = new AbortController();
      const created: CallFlight<T> = { promise: run(abort.signal), subscribers: 0, abort };
      flight = created;
      this.calls.set(key, created as CallFlight<unknown>);
      const forget = () => {
        if (this.calls.get(key) === created) this.calls.delete(key);
      };
      created.promise.then(forget, forget);
    }
    flight.subscribers++;
    try {
      return { value: await Promise.race([flight.promise, onAbort(clientSignal)]), coalesced };
    } finally {
      flight.subscribers--;
      if (flight.subscribers === 0 && clientSignal.aborted) flight.abort.abort(clientSignal.reason);
    }
  }

  /**
   * `coalesced` is true for joiners. `paysForFlight()` tells a joiner, once, that the client that
   * started the flight left early: that joiner is then charged for the flight like its owner.
   */
  stream(
    key: string,
    clientSignal: AbortSignal,
    start: (signal: AbortSignal) => AsyncIterable<ChatChunk>,
  ): { chunks: AsyncGenerator<ChatChunk>; coalesced: boolean; paysForFlight: () => boolean } {
    let flight = this.streams.get(key);
    const coalesced = flight !== undefined;
    if (flight === undefined) {
      flight = { chunks: [], ownerLeft: false, ownerTaken: false, done: false, failed: false, error: undefined, listeners: new Set(), subscribers: 0, abort: new AbortController() };
      this.streams.set(key, flight);
      void this.pump(key, flight, start(flight.abort.signal));
    }
    const joined = flight;
    const paysForFlight = () => {
      if (!coalesced || !joined.ownerLeft || joined.ownerTaken) return !coalesced;
      joined.ownerTaken = true;
      return true;
    };
    return { chunks: this.follow(flight, clientSignal, !coalesced), coalesced, paysForFlight };
  }

  private async pump(key: string, flight: StreamFlight, source: AsyncIterable<ChatChunk>): Promise<void> {
    const wake = () => {
      for (const listener of flight.listeners) listener();
    };
    try {
      for await (const chunk of source) {
        flight.chunks.push(chunk);
        wake();
      }
    } catch (error) {
      flight.failed = true;
      flight.error = error;
    } finally {
      flight.done = true;
      if (this.streams.get(key) === flight) this.streams.delete(key);
      wake();
    }
  }

  private async *follow(flight: StreamFlight, clientSignal: AbortSignal, owner: boolean): AsyncGenerator<ChatChunk> {
    flight.subscribers++;
    let wakeUp: (() => void) | undefined;
    const listener = () => wakeUp?.();
    flight.listeners.add(listener);
    clientSignal.addEventListener('abort', listener);
    let next = 0;
    try {
      for (;;) {
        while (next < flight.chunks.length) yield flight.chunks[next++]!;
        if (flight.done) {
          if (flight.failed) throw flight.error;
          return;
        }
        if (clientSignal.aborted) throw clientSignal.reason;
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
        });
      }
    } finally {
      if (owner && !flight.done) flight.ownerLeft = true;
      flight.listeners.delete(listener);
      clientSignal.removeEventListener('abort', listener);
      flight.subscribers--;
      if (flight.subscribers === 0 && !flight.done) flight.abort.abort(new Error('every client of the shared stream left'));
    }
  }
}
