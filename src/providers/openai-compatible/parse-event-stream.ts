/**
 * Bytes of a `text/event-stream` body -> SSE messages, framed by eventsource-parser (comments,
 * multi-line data and events split across TCP chunks are its job). An event cut off by the end of
 * the body is dropped, as the SSE spec says.
 */
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';

/** Hears each event as it is framed: its data, and its type when it has one. */
export type EventSink = (data: string, event: string | undefined) => void;

const BYTE_ORDER_MARK = 0xfeff;

/** Frames a body chunk by chunk, synchronously, handing each event to the sink as it completes. */
export class EventFramer {
  private sink: EventSink = () => {};
  private readonly parser: EventSourceParser = createParser({ onEvent: (event) => this.sink(event.data, event.event === '' ? undefined : event.event) });
  // Node's decoder rather than TextDecoder: a third of the time per chunk (bench/README.md), and a
  // character split across chunks is held back the same way.
  private readonly decoder = new StringDecoder('utf8');
  private first = true;

  feed(chunk: Uint8Array | string, sink: EventSink): void {
    this.sink = sink;
    this.parse(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
  }

  /** The events the decoder still held when the body ended. */
  flush(sink: EventSink): void {
    this.sink = sink;
    this.parse(this.decoder.end());
  }

  private parse(text: string): void {
    if (this.first && text !== '') {
      this.first = false;
      // TextDecoder dropped a leading byte order mark; Node's decoder keeps it, and the SSE spec ignores it.
      if (text.charCodeAt(0) === BYTE_ORDER_MARK) text = text.slice(1);
    }
    this.parser.feed(text);
  }
}
