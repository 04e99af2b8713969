/**
 * Bounds every wait of one upstream call: time to response headers, silence between stream
 * events and the total. It cancels the HTTP request when the caller's signal aborts or a bound
 * runs out; `timeoutError` then says which bound it was. A plain callback rather than an
 * AbortController of its own: the call already has the caller's signal, and a second signal per
 * call was measurable CPU on every request (bench/README.md, "Performance work").
 */
import type { UpstreamTimeouts } from '../provider-settings.js';
import { GatewayError } from '../../errors.js';
import type { Cancellation } from './send-upstream-request.js';

export class UpstreamDeadline implements Cancellation {
  private cancelled = false;
  private cancelReason: unknown;
  private onCancel: ((reason: unknown) => void) | undefined;
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
    this.onParentAbort = () => this.cancel(parent.reason);
    if (parent.aborted) this.onParentAbort();
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
    this.firstByteTimer = this.startTimer(timeouts.firstByteMs, 'respond');
    this.totalTimer = this.startTimer(timeouts.totalMs, 'finish');
  }

  get aborted(): boolean {
    return this.cancelled;
  }

  get reason(): unknown {
    return this.cancelReason;
  }

  /** The one listener, the HTTP exchange's; called at once when already cancelled. */
  whenCancelled(listener: (reason: unknown) => void): void {
    if (this.cancelled) listener(this.cancelReason);
    else this.onCancel = listener;
  }

  private cancel(reason: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.cancelReason = reason;
    const listener = this.onCancel;
    this.onCancel = undefined;
    listener?.(reason);
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
    this.onCancel = undefined;
    clearTimeout(this.totalTimer);
    if (this.firstByteTimer !== undefined) clearTimeout(this.firstByteTimer);
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.parent.removeEventListener('abort', this.onParentAbort);
  }

  private startTimer(ms: number, what: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (this.cancelled) return;
      this.firedError = new GatewayError('upstream_timeout', `Provider ${this.providerId} did not ${what} within ${ms} ms.`, {
        provider: this.providerId,
      });
      this.cancel(this.firedError);
    }, ms);
    timer.unref();
    return timer;
  }
}
