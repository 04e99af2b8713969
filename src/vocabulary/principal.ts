/** Who is asking, once authenticated, and the limits their key carries. */

export interface KeyLimits {
  /** Overrides RATE_LIMIT_RPM for this key. */
  requestsPerMinute?: number;
  /** Overrides RATE_LIMIT_TPM for this key. */
  tokensPerMinute?: number;
  /** `provider/model` names or `provider/*`; empty or absent allows every model. */
  allowedModels?: string[];
  /** USD this key may spend in total; absent for no budget. */
  budgetUsd?: number;
}

/** Who a request is from, once authenticated. */
export type Principal =
  | { kind: 'client'; keyId: string; name: string; limits: KeyLimits }
  | { kind: 'admin' }
  /** Authentication is off (development without keys, or AUTH_DISABLED). */
  | { kind: 'open' };
