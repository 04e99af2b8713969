/** What the gateway reports about its providers, models and health. */
import type { ErrorCode } from '../errors.js';

export type ProviderStatus = 'available' | 'degraded' | 'not_configured';

export interface ProviderSummary {
  id: string;
  kind: string;
  configured: boolean;
  status: ProviderStatus;
  missingConfiguration: string | null;
  lastErrorCode: ErrorCode | null;
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

export interface HealthReport {
  status: HealthStatus;
  uptimeSeconds: number;
  version: string;
  providers: ProviderHealthSummary[];
}
