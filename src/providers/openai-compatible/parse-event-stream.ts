/**
 * Bytes of a `text/event-stream` body -> SSE messages, framed by eventsource-parser (comments,
 * multi-line data and events split across TCP chunks are its job). An event cut off by the end of
 * the body is dropped, as the SSE spec says.
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';

export type { EventSourceMessage };

/** Frames a body chunk by chunk, synchronously: each call returns the events it completed. */
export class EventFramer {
  private readonly pending: EventSourceMessage[] = [];
  private readonly parser: EventSourceParser = createParser({ onEvent: (event) => this.pending.push(event) });
  private readonly decoder = new TextDecoder();

  /** The array returned is reused by the next call: read it before framing more. */
  feed(chunk: Uint8Array | string): readonly EventSourceMessage[] {
    this.pending.length = 0;
    this.parser.feed(typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    return this.pending;
  }

  /** The events the decoder still held when the body ended. */
  flush(): readonly EventSourceMessage[] {
    this.pending.length = 0;
    this.parser.feed(this.decoder.decode());
    return this.pending;
  }
}
