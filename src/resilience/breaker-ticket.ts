/**
 * One call a deployment's breaker admitted, settled once: its outcome is the promise opossum
 * waits on. A class rather than closures made per call: V8 keeps a closure's optimized code only
 * while a closure that ran it is alive, and most instances of a closure that runs at a call's end
 * have not run yet, so its body was compiled again after every full collection (bench/README.md,
 * "Eleventh pass").
 */

export interface DeploymentTicket {
  /** This call decides a half-open (or forced) probe. */
  readonly probe: boolean;
  succeed(): void;
  fail(error: unknown): void;
  /** The client left: nothing is learned about the deployment. */
  abandon(): void;
}

/** What opossum runs for an admitted call: the call's outcome, settled later by its ticket. */
export interface BreakerCall {
  start(): Promise<void>;
}

export function startCall(call: BreakerCall): Promise<void> {
  return call.start();
}

/** What a ticket tells its deployment's breaker state when it settles. */
export interface TicketHooks<Entry> {
  succeeded(entry: Entry): void;
  countFailure(entry: Entry, error: unknown): void;
  rearm(entry: Entry): void;
}

function ignore(): void {}

export class BreakerTicket<Entry> implements DeploymentTicket, BreakerCall {
  /** Set when opossum ran the call, which it does synchronously when it admits it. */
  admitted = false;
  private settled = false;
  private resolveOutcome: () => void = ignore;
  private rejectOutcome: (error: unknown) => void = ignore;

  constructor(
    private readonly entry: Entry,
    readonly probe: boolean,
    private readonly hooks: TicketHooks<Entry>,
  ) {}

  start(): Promise<void> {
    this.admitted = true;
    return new Promise<void>((resolve, reject) => {
      this.resolveOutcome = resolve;
      this.rejectOutcome = reject;
    });
  }

  succeed(): void {
    if (!this.settle()) return;
    this.hooks.succeeded(this.entry);
    this.resolveOutcome();
  }

  fail(error: unknown): void {
    if (!this.settle()) return;
    this.hooks.countFailure(this.entry, error);
    this.rejectOutcome(error);
  }

  /** A probe the client abandoned decides nothing: the next request probes again. */
  abandon(): void {
    if (!this.settle()) return;
    if (this.probe) this.hooks.rearm(this.entry);
    else this.resolveOutcome();
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}
