/**
 * A streamed response's chunked framing, written by the gateway: one socket write per event.
 * Node frames each `res.write` as four writes (the size, a line break, the data, a line break), and
 * while the socket is corked each is a buffered write of its own, with its own entry, callback and
 * slot in the `writev`; for a streamed token that was most of what Node's write path allocated and
 * ran (bench/README.md, "Twelfth pass"). Here the frame is one string, so one write.
 *
 * Only a response Node would frame itself is framed here (HTTP/1.1, a body, no length): the head
 * has been written, so Node has already put `Transfer-Encoding: chunked` in it and decided
 * keep-alive; from then on it is told the body is framed (`chunkedEncoding`), and the last frame
 * is written with the end. Anything else (an HTTP/1.0 client's close-delimited body) is written as
 * Node would write it.
 */
import type { ServerResponse } from 'node:http';
import { writeInTurn } from '../sockets/writes-in-turn.js';

const LAST_FRAME = '0\r\n\r\n';

function frame(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}

export class FramedChunks {
  private readonly framed: boolean;

  /** Takes over the framing of `res`, whose head must have been written (`writeHead`). */
  constructor(private readonly res: ServerResponse) {
    this.framed = res.chunkedEncoding;
    res.chunkedEncoding = false;
  }

  /** Sent with the rest of this turn's writes; false while the socket is full. */
  write(text: string): boolean {
    if (text === '') return true;
    return writeInTurn(this.res, this.framed ? frame(text) : text);
  }

  /** The last text, if any, and the end of the body. */
  end(text = ''): void {
    if (!this.framed) {
      this.res.end(text);
      return;
    }
    this.res.end(text === '' ? LAST_FRAME : frame(text) + LAST_FRAME);
  }
}
