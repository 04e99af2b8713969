/**
 * Waiting in tests: poll for the condition a test asserts on instead of sleeping a fixed time, so
 * a loaded machine makes a test slower, never wrong. `sleep` is for pacing a scenario, not for waiting.
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the error when the condition never holds. */
  what?: string;
}

/** Resolves with the first truthy value `probe` returns; rejects after `timeoutMs` (default 5 s). */
export async function waitFor<T>(probe: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 5_000, intervalMs = 10, what = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
