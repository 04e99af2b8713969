/** The provider kinds the gateway can build and the time limits of an upstream call: config, providers and listings share them. */

export type ProviderKind = 'openrouter' | 'deepseek' | 'openai-compatible';

export interface UpstreamTimeouts {
  /** Until the TCP (and TLS) connection is up. */
  readonly connectMs: number;
  /** Until the upstream's response headers arrive. */
  readonly firstByteMs: number;
  /** Between two stream events; keep-alive comments do not count. */
  readonly idleMs: number;
  /** One upstream call, streams included. */
  readonly totalMs: number;
}
