/** Client API keys as stored: the key itself never is, only its SHA-256. */
import type { KeyLimits } from '../vocabulary/principal.js';

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
  /** False while the store cannot answer quickly (Redis away or just failed): lookups then use what is cached. */
  isAvailable(): boolean;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  save(record: ApiKeyRecord): Promise<void>;
}
