/**
 * Bounds every wait of one upstream call: time to response headers, silence between stream
 * events and the total. It cancels the HTTP request when the caller's signal aborts or a bound
 * runs out; `timeoutError` then says which bound it was. A plain callback rather than an
 * AbortController of its own: the call already has the caller's signal, and a second signal per
 * call was measurable CPU on every request (bench/README.md, "Performance work").
 *
 * One timer serves the three bounds. It is set no later than the nearest bound could be, and when
 * it fires it checks the bounds against the clock: one reached cancels the call, else it waits
 * again for the nearest. So a call costs one timer instead of three, and progress (every body chunk,
 * every stream event) is a timestamp instead of a timer moved.
 */
import type { UpstreamTimeouts } from '../provider-settings.js';
import { GatewayError } from '../../errors.js';
import type { Cancellation } from './send-upstream-request.js';

export class UpstreamDeadline implements Cancellation {
  private cancelled = false;
  private cancelReason: unknown;
  private onCancel: ((reason: unknown) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly totalAt: number;
  private readonly firstByteAt: number;
  private responding = false;
  /** Since headers arrived: when the last real progress was made, for the silence bound. */
  private progressAt = 0;
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
    const now = performance.now();
    this.firstByteAt = now + timeouts.firstByteMs;
    this.totalAt = now + timeouts.totalMs;
    // The silence bound starts with the headers, at the earliest now: the first wait covers it too.
    this.arm(Math.min(timeouts.firstByteMs, timeouts.totalMs, timeouts.idleMs));
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
    this.responding = true;
    this.progressAt = performance.now();
  }

  /** Real progress (an event, a body chunk). Comments and keep-alives must not call this. */
  markProgress(): void {
    if (this.responding) this.progressAt = performance.now();
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
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.parent.removeEventListener('abort', this.onParentAbort);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.check, Math.max(1, Math.ceil(ms)));
    this.timer.unref();
  }

  /** The bound in force that ends first: before headers the first byte's, after them the silence's; the total always. */
  private readonly check = (): void => {
    this.timer = undefined;
    if (this.cancelled) return;
    const now = performance.now();
    const waitAt = this.responding ? this.progressAt + this.timeouts.idleMs : this.firstByteAt;
    const [at, ms, what] = waitAt <= this.totalAt ? [waitAt, this.responding ? this.timeouts.idleMs : this.timeouts.firstByteMs, this.responding ? 'send the next event' : 'respond'] : [this.totalAt, this.timeouts.totalMs, 'finish'];
    // Timers run on a millisecond clock: within a millisecond of the bound counts as reached.
    if (now + 1 >= at) {
      this.firedError = new GatewayError('upstream_timeout', `Provider ${this.providerId} did not ${what} within ${ms} ms.`, { provider: this.providerId });
      this.cancel(this.firedError);
      return;
    }
    // Headers may arrive at any moment and start the silence bound then: never wait past it.
    this.arm(Math.min(at, now + this.timeouts.idleMs) - now);
  };
}
