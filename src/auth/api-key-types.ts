/** Client API keys as stored: the key itself never is, only its SHA-256. */

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

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it in a list. */
  prefix: string;
  hash: string;
  createdAt: string;
  revokedAt: string | null;
  /** Keys from API_KEYS cannot be changed or revoked at run time. */
  source: 'env' | 'api';
  limits: KeyLimits;
}

export interface ApiKeyStore {
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  save(record: ApiKeyRecord): Promise<void>;
}

/** Who a request is from, once authenticated. */
export type Principal =
  | { kind: 'client'; keyId: string; name: string; limits: KeyLimits }
  | { kind: 'admin' }
  /** Authentication is off (development without keys, or AUTH_DISABLED). */
  | { kind: 'open' };
