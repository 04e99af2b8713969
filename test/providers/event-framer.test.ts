import { expect } from 'chai';
import { createParser } from 'eventsource-parser';
import { EventFramer } from '../../src/providers/openai-compatible/parse-event-stream.js';

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

type Framed = [data: string, event: string | undefined];

/** The events eventsource-parser frames from the whole body at once: what the framer must agree with. */
function reference(body: string): Framed[] {
  const events: Framed[] = [];
  createParser({ onEvent: (event) => events.push([event.data, event.event === '' ? undefined : event.event]) }).feed(body);
  return events;
}

// Everything a provider's stream may hold: one-line events (the framer's shortcut), comments,
// typed events, multi-line data, CRLF and CR line ends, an empty data field, no space after the colon.
const EVENTS = [
  'data: {"a":1}\n\n',
  'data:{"b":2}\n\n',
  'data: \n\n',
  ': keep-alive\n\n',
  'event: message_start\ndata: {"type":"message_start"}\n\n',
  'data: line one\ndata: line two\n\n',
  'data: crlf\r\n\r\n',
  'data: cr\r\r',
  'id: 7\ndata: with id\n\n',
  'data: 日本 🎉 é\n\n',
  'data: [DONE]\n\n',
];

describe('an event stream framed chunk by chunk', () => {
  it('frames what eventsource-parser frames from the whole body, however the body is cut and whatever it holds', () => {
    const next = random(11);
    for (let round = 0; round < 400; round++) {
      const body = Array.from({ length: 2 + Math.floor(next() * 12) }, () => EVENTS[Math.floor(next() * EVENTS.length)]).join('');
      const bytes = Buffer.from(body);
      const framer = new EventFramer();
      const framed: Framed[] = [];
      const sink = (data: string, event: string | undefined) => framed.push([data, event]);
      // Most rounds cut at event boundaries (one event per chunk, as providers send tokens), the rest anywhere.
      const atBoundaries = next() < 0.6;
      for (let at = 0; at < bytes.length; ) {
        const boundary = bytes.indexOf('\n\n', at);
        const size = atBoundaries && boundary !== -1 ? boundary + 2 - at : 1 + Math.floor(next() * 40);
        framer.feed(bytes.subarray(at, at + size), sink);
        at += size;
      }
      framer.flush(sink);
      expect(framed, JSON.stringify(body)).to.deep.equal(reference(body));
    }
  });

  it('reads a chunk as the rest of an event already begun', () => {
    for (const chunks of [
      ['data: {"first":1}\n\n', 'data: line one\n', 'data: line two\n\n'],
      ['data: {"first":1}\n\n', 'event: typed\n', 'data: body\n\n'],
      ['data: {"first":1}\n\n', 'data: cut in ', 'data: the middle\n\n'],
    ]) {
      const framer = new EventFramer();
      const framed: Framed[] = [];
      for (const chunk of chunks) framer.feed(Buffer.from(chunk), (data, event) => framed.push([data, event]));
      expect(framed, JSON.stringify(chunks)).to.deep.equal(reference(chunks.join('')));
    }
  });
});
