/**
 * Caps retries at a share of recent traffic (plus a small floor), so that when a provider browns
 * out the gateway does not multiply its load with retries. Fallback to another provider is not
 * charged: that is what breakers are for.
 */
import type { RetryBudgetConfig } from '../config/load-config.js';

const WINDOW_SECONDS = 10;

export class RetryBudget {
  private readonly requests = new Array<number>(WINDOW_SECONDS).fill(0);
  private readonly retries = new Array<number>(WINDOW_SECONDS).fill(0);
  private currentSecond = 0;

  constructor(
    private readonly config: RetryBudgetConfig,
    private readonly now: () => number = Date.now,
  ) {}

  recordRequest(): void {
    this.requests[this.slot()]! += 1;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryRetry(): boolean {
    const slot = this.slot();
    const requests = this.requests.reduce((sum, value) => sum + value, 0);
    const retries = this.retries.reduce((sum, value) => sum + value, 0);
    const allowed = this.config.minPerSecond * WINDOW_SECONDS + this.config.ratio * requests;
    if (retries + 1 > allowed) return false;
    this.retries[slot]! += 1;
    return true;
  }

  private slot(): number {
    const second = Math.floor(this.now() / 1000);
    // Clear the buckets of the seconds that passed since the last call.
    const elapsed = Math.min(second - this.currentSecond, WINDOW_SECONDS);
    for (let step = 1; step <= elapsed; step++) {
      const index = (this.currentSecond + step) % WINDOW_SECONDS;
      this.requests[index] = 0;
      this.retries[index] = 0;
    }
    this.currentSecond = second;
    return second % WINDOW_SECONDS;
  }
}
