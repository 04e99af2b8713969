/**
 * The process's log lines on stdout, written together once per turn of the event loop, from the
 * loop's own thread. Why: pino's default stream hands each line to libuv's thread pool (an
 * asynchronous `fs.write`), and where requests finish in turns of their own, as they do at 50 ms
 * upstream, every request's log line cost a worker's wake-up and a completion's wake-up: 2.3-2.7
 * context switches a request, where the same service without its log made 1.1-1.3 (bench/README.md,
 * "Nineteenth pass"). Node writes its own stdout to files and pipes from the loop's thread too.
 *
 * A reader that falls behind never blocks the loop: when stdout is a non-blocking pipe and full, the
 * rest waits for a timer and later lines queue behind it, in order. Lines still waiting when the
 * process exits are written before it goes. A reader that has gone (EPIPE) ends the log, as pino's
 * own stream does.
 */
import { writeSync } from 'node:fs';

/** How long a full pipe is left to drain before the next try. */
const RETRY_MS = 10;
/** At exit the loop is gone: a full pipe is waited on this long, in all, before lines are given up. */
const MOST_EXIT_WAIT_MS = 2_000;

const errorCode = (error: unknown): unknown => (error as { code?: unknown }).code;

export class TurnBatchedLines {
  private pending: string[] = [];
  /** What the next write sends: the turn's lines, behind any bytes a full pipe refused. */
  private unsent: string | Buffer | undefined;
  private scheduled = false;
  private broken = false;

  constructor(private readonly fd: number) {}

  /** pino's destination interface: one serialized line, newline included. */
  write(line: string): void {
    if (this.broken) return;
    this.pending.push(line);
    this.schedule(0);
  }

  /** Writes everything waiting, now: for the process's exit. */
  flushSync(): void {
    const deadline = performance.now() + MOST_EXIT_WAIT_MS;
    while (!this.broken && this.takeData() !== undefined && !this.send() && performance.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS);
    }
  }

  private schedule(delayMs: number): void {
    if (this.scheduled) return;
    this.scheduled = true;
    if (delayMs === 0) setImmediate(this.endOfTurn);
    else setTimeout(this.endOfTurn, delayMs);
  }

  private readonly endOfTurn = (): void => {
    this.scheduled = false;
    if (this.takeData() !== undefined && !this.send()) this.schedule(RETRY_MS);
  };

  /** Moves the pending lines behind any refused bytes; returns what there is to send. */
  private takeData(): string | Buffer | undefined {
    if (this.pending.length > 0) {
      const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join('');
      this.pending = [];
      this.unsent = this.unsent === undefined ? text : Buffer.concat([Buffer.from(this.unsent), Buffer.from(text)]);
    }
    return this.unsent;
  }

  /** Writes what is unsent; false when a full pipe left some of it for later. */
  private send(): boolean {
    const data = this.unsent as string | Buffer;
    let written = 0;
    try {
      // A string goes as it is, nearly always whole: only a pipe's partial write turns it into bytes.
      written = typeof data === 'string' ? writeSync(this.fd, data) : writeSync(this.fd, data, 0);
      if (written < (typeof data === 'string' ? Buffer.byteLength(data) : data.length)) {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        while (written < bytes.length) written += writeSync(this.fd, bytes, written);
      }
      this.unsent = undefined;
      return true;
    } catch (error) {
      if (errorCode(error) === 'EAGAIN') {
        this.unsent = typeof data === 'string' ? Buffer.from(data).subarray(written) : data.subarray(written);
        return false;
      }
      // EPIPE (the reader is gone) and anything else: there is nowhere to write the log any more.
      this.broken = true;
      this.unsent = undefined;
      this.pending = [];
      return true;
    }
  }
}

let stdout: TurnBatchedLines | undefined;

/** The one stdout destination of the process, flushed when it exits. */
export function stdoutLines(): TurnBatchedLines {
  if (stdout === undefined) {
    const lines = new TurnBatchedLines(1);
    process.on('exit', () => lines.flushSync());
    stdout = lines;
  }
  return stdout;
}
