/**
 * Bounds every wait of one upstream call: time to response headers, silence between stream
 * events and the total. Its signal aborts the HTTP request when the caller's signal aborts or a
 * bound runs out; `timeoutError` then says which bound it was.
 */
import type { UpstreamTimeouts } from '../provider-settings.js';
import { GatewayError } from '../../errors.js';

export class UpstreamDeadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly totalTimer: NodeJS.Timeout;
  private idleTimer: NodeJS.Timeout | undefined;
  private firstByteTimer: NodeJS.Timeout | undefined;
  private firedError: GatewayError | undefined;
  private readonly onParentAbort: () => void;

  constructor(
    private readonly parent: AbortSignal,
    private readonly timeouts: UpstreamTimeouts,
    private readonly providerId: string,
  ) {
    this.signal = this.controller.signal;
    this.onParentAbort = () => this.controller.abort(parent.reason);
    if (parent.aborted) this.onParentAbort();
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
    this.firstByteTimer = this.startTimer(timeouts.firstByteMs, 'respond');
    this.totalTimer = this.startTimer(timeouts.totalMs, 'finish');
  }

  /** The provider answered with headers; from now on silence is measured between events. */
  markResponseStarted(): void {
    if (this.firstByteTimer !== undefined) clearTimeout(this.firstByteTimer);
    this.firstByteTimer = undefined;
    this.idleTimer = this.startTimer(this.timeouts.idleMs, 'send the next event');
  }

  /** Real progress (an event, a body chunk). Comments and keep-alives must not call this. */
  markProgress(): void {
    this.idleTimer?.refresh();
  }

  /** Why the call was cut short, when a bound (this one's or the request's) did it. */
  get timeoutError(): GatewayError | undefined {
    if (this.firedError !== undefined) return this.firedError;
    const reason: unknown = this.parent.reason;
    return reason instanceof GatewayError ? reason : undefined;
  }

  /** True when the caller, not a bound, ended the call: nobody is waiting for an answer. */
  get callerAborted(): boolean {
    return this.parent.aborted;
  }

  dispose(): void {
    clearTimeout(this.totalTimer);
    if (this.firstByteTimer !== undefined) clearTimeout(this.firstByteTimer);
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.parent.removeEventListener('abort', this.onParentAbort);
  }

  private startTimer(ms: number, what: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (this.controller.signal.aborted) return;
      this.firedError = new GatewayError('upstream_timeout', `Provider ${this.providerId} did not ${what} within ${ms} ms.`, {
        provider: this.providerId,
      });
      this.controller.abort(this.firedError);
    }, ms);
    timer.unref();
    return timer;
  }
}
