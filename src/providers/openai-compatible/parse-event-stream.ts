/**
 * Bytes of a `text/event-stream` body -> SSE messages, framed by eventsource-parser (comments,
 * multi-line data and events split across TCP chunks are its job). An event cut off by the end of
 * the body is dropped, as the SSE spec says.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export type { EventSourceMessage };

export async function* parseEventStream(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    for (const event of pending) yield event;
    pending.length = 0;
  }
  parser.feed(decoder.decode());
  for (const event of pending) yield event;
}
