/**
 * Writes to many responses in one turn of the event loop, sent together once the turn's I/O has
 * been handled. Node corks a response's socket at its first write and uncorks it on the next tick,
 * which comes right after the upstream event that produced the write: with a hundred streams, a
 * batch of tokens arriving in one turn left in a hundred separate bursts, and between two of them
 * the client, done with the last, had gone back to sleep and had to be woken again. Waking a
 * sleeping reader was the largest kernel cost a stream had over the floor's (bench/README.md,
 * "Eleventh pass"). Held until `setImmediate`, the turn's writes leave back to back, in the same
 * turn: nothing waits for a timer.
 */
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';

const corked: Socket[] = [];
let scheduled = false;

function uncorkAll(): void {
  scheduled = false;
  // An uncork on a socket that ended or was uncorked since (a response's end uncorks it fully) does nothing.
  for (const socket of corked) socket.uncork();
  corked.length = 0;
}

/** `res.write(text)`, sent with the rest of this turn's writes. */
export function writeInTurn(res: ServerResponse, text: string): boolean {
  const socket = res.socket;
  // A socket someone else corked is sent by them; Node's own cork, seeing it corked, stays out.
  if (socket !== null && !socket.writableCorked) {
    socket.cork();
    corked.push(socket);
    if (!scheduled) {
      scheduled = true;
      setImmediate(uncorkAll);
    }
  }
  return res.write(text);
}
