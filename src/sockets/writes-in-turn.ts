/**
 * Writes to many sockets in one turn of the event loop, sent together once the turn's I/O has been
 * handled. Node corks a response's socket at its first write and uncorks it on the next tick, which
 * comes right after the event that produced the write, and a message's `end` writes at once: with
 * fifty requests or a hundred streams, the answers (and the upstream requests) produced in one turn
 * left in as many separate bursts, and between two of them the reader, done with the last, had gone
 * back to sleep and had to be woken again. Waking a sleeping reader was the largest kernel cost a
 * stream had over the floor's (bench/README.md, "Eleventh pass"), and a whole request paid it twice
 * ("Fifteenth pass"). Held until `setImmediate`, the turn's writes leave back to back, in the same
 * turn: nothing waits for a timer.
 */
import type { Socket } from 'node:net';
import type { OutgoingMessage, ServerResponse } from 'node:http';

const corked: Socket[] = [];
/** Messages to end when the turn is over, each followed by its last text (undefined for none). */
const ending: (OutgoingMessage | string | undefined)[] = [];
let scheduled = false;
/** Whether a message has ended at once in this turn: the first does, so a lone request waits for nothing. */
let endedThisTurn = false;

function endAll(): void {
  // Taken first: an end that leads to another `endInTurn` (an error answer) goes to the next turn.
  const messages = ending.splice(0);
  for (let at = 0; at < messages.length; at += 2) {
    const message = messages[at] as OutgoingMessage;
    // Ended meanwhile by someone else (an error answer after the head): theirs was the last word.
    if (message.writableEnded) continue;
    try {
      message.end(messages[at + 1] as string | undefined);
    } catch (error) {
      // Thrown outside the handler that asked for it: the one message fails, not the turn's others.
      message.destroy(error as Error);
    }
  }
}

function sendTurn(): void {
  scheduled = false;
  endedThisTurn = false;
  // An uncork on a socket that ended or was uncorked since (a response's end uncorks it fully) does nothing.
  for (const socket of corked) socket.uncork();
  corked.length = 0;
  if (ending.length > 0) endAll();
}

function scheduleTurnEnd(): void {
  if (!scheduled) {
    scheduled = true;
    setImmediate(sendTurn);
  }
}

/** `res.write(text)`, sent with the rest of this turn's writes. */
export function writeInTurn(res: ServerResponse, text: string): boolean {
  const socket = res.socket;
  // A socket someone else corked is sent by them; Node's own cork, seeing it corked, stays out.
  if (socket !== null && !socket.writableCorked) {
    socket.cork();
    corked.push(socket);
    scheduleTurnEnd();
  }
  return res.write(text);
}

/**
 * `message.end(text)`, a whole answer or an upstream request: the turn's first at once, so one
 * request alone is not held for the rest of its turn; any later one when the turn is over, with
 * the rest of its writes. A message destroyed meanwhile (its client left) ends as a no-op.
 */
export function endInTurn(message: OutgoingMessage, text?: string): void {
  if (message.writableEnded) return;
  scheduleTurnEnd();
  if (!endedThisTurn) {
    endedThisTurn = true;
    message.end(text);
    return;
  }
  ending.push(message, text);
}

/** Whether `message` waits to be ended with this turn's writes: ended, as far as its writer is concerned. */
export function endsInTurn(message: OutgoingMessage): boolean {
  return ending.includes(message);
}
