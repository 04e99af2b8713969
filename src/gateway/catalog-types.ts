/** What the gateway reports about its providers, models and health. */
import type { ProviderKind } from '../config/types.js';
import type { ApiKeyRecord } from '../auth/api-key-types.js';
import type { ErrorCode } from '../errors.js';
import type { BreakerState } from '../vocabulary/breaker-state.js';

export type { BreakerState };

export type ProviderStatus = 'available' | 'degraded' | 'unavailable' | 'disabled' | 'not_configured';

export interface ProviderErrorSummary {
  code: ErrorCode;
  message: string;
  /** ISO 8601. */
  at: string;
}

/** One provider + model + key, as tracked since it was first used. */
export interface DeploymentSummary {
  /** `provider/model#key-label`. */
  id: string;
  model: string;
  /** The key's label (a variable name or a hash prefix), never the key. */
  key: string;
  state: BreakerState;
  /** Failures in the breaker's rolling window. */
  failures: number;
  /** ISO 8601; null when it is not sitting out. */
  coolingUntil: string | null;
  inFlight: number;
  /** Moving average of time to first token (whole answers: to the answer); null before a sample. */
  latencyMs: number | null;
}

export interface ProviderSummary {
  id: string;
  kind: ProviderKind;
  configured: boolean;
  enabled: boolean;
  status: ProviderStatus;
  breakerState: BreakerState;
  missingConfiguration: string | null;
  /** The models this provider is limited to, when its configuration lists them. */
  models: readonly string[] | null;
  lastError: ProviderErrorSummary | null;
  /** Its key labels, each a deployment of every model it serves. */
  keys: string[];
  deployments: DeploymentSummary[];
}

export interface ProviderHealthResult {
  id: string;
  status: ProviderStatus;
  breakerState: BreakerState;
  /** The last active check against the provider's free endpoint; null when none could run. */
  reachable: boolean | null;
  latencyMs: number | null;
  errorCode: string | null;
  checkedAt: string | null;
  deployments: DeploymentSummary[];
}

export interface ModelSummary {
  /** `provider/upstreamId`: the id a client sends to reach exactly this model. */
  id: string;
  provider: string;
  upstreamId: string;
  ownedBy: string | null;
  created: number | null;
  contextLength: number | null;
}

export interface ProviderHealthSummary {
  id: string;
  status: ProviderStatus;
}

export type HealthStatus = 'ok' | 'degraded' | 'down';

export type RedisStatus = 'connected' | 'unavailable' | 'not_configured';

export interface HealthReport {
  status: HealthStatus;
  uptimeSeconds: number;
  version: string;
  redis: RedisStatus;
  providers: ProviderHealthSummary[];
}

/** A key as listed: its record, and what its budget cannot see. */
export type ApiKeyView = ApiKeyRecord & {
  /** With a budget: the providers whose spend cannot be counted; null otherwise. */
  budgetNote: string | null;
};

/** A new key as created: the only time its secret is shown. */
export interface CreatedApiKeyView {
  record: ApiKeyView;
  key: string;
}
