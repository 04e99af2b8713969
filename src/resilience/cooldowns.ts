/**
 * Deployments and keys sitting out for a while because the upstream said so: a 429 cools one
 * deployment for its `Retry-After`; a rejected key cools that key for every model. Cooling an
 * already cooled name keeps the later deadline. Deadlines learned from other replicas (shared
 * health) are merged in, so a name cooled anywhere is skipped everywhere.
 */

export type CooldownReason = 'rate_limited' | 'key_rejected' | 'breaker_open';

export class Cooldowns {
  private readonly local = new Map<string, number>();
  private remote: ReadonlyMap<string, number> = new Map();

  constructor(private readonly now: () => number = Date.now) {}

  /** Returns the deadline now in force for `name`. */
  cool(name: string, forMs: number): number {
    const until = Math.max(this.local.get(name) ?? 0, this.now() + forMs);
    this.local.set(name, until);
    return until;
  }

  remainingMs(name: string): number {
    const now = this.now();
    const localUntil = this.local.get(name);
    if (localUntil !== undefined && localUntil <= now) this.local.delete(name);
    const until = Math.max(localUntil ?? 0, this.remote.get(name) ?? 0);
    return Math.max(0, until - now);
  }

  until(name: string): number | undefined {
    const remaining = this.remainingMs(name);
    return remaining === 0 ? undefined : this.now() + remaining;
  }

  /** What other replicas published; replaced as a whole on every poll. */
  setRemote(deadlines: ReadonlyMap<string, number>): void {
    this.remote = deadlines;
  }
}

export const deploymentCooldownName = (deploymentId: string): string => `dep:${deploymentId}`;
export const keyCooldownName = (providerId: string, keyLabel: string): string => `key:${providerId}#${keyLabel}`;
