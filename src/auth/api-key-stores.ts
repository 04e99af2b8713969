/** Where key records live: Redis (shared by replicas) or the process. */
import type { RedisConnection } from '../redis/redis-connection.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-types.js';

export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly byId = new Map<string, ApiKeyRecord>();

  isAvailable(): boolean {
    return true;
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    for (const record of this.byId.values()) if (record.hash === hash) return record;
    return undefined;
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    return this.byId.get(id);
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.byId.values()];
  }

  async save(record: ApiKeyRecord): Promise<void> {
    this.byId.set(record.id, record);
  }
}

/**
 * `{keys}:hash:<sha256>` -> id, `{keys}:id:<id>` -> record JSON, `{keys}:ids` -> every id. The hash
 * tag keeps them in one Redis Cluster slot, so the transaction and MGET work there too.
 */
export class RedisApiKeyStore implements ApiKeyStore {
  constructor(private readonly redis: RedisConnection) {}

  isAvailable(): boolean {
    return this.redis.isReady();
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    try {
      const id = await this.redis.client.get(`{keys}:hash:${hash}`);
      return id === null ? undefined : await this.findById(id);
    } catch (error) {
      this.redis.reportFailure();
      throw error;
    }
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const raw = await this.redis.client.get(`{keys}:id:${id}`);
    return raw === null ? undefined : (JSON.parse(raw) as ApiKeyRecord);
  }

  async list(): Promise<ApiKeyRecord[]> {
    const ids = await this.redis.client.smembers('{keys}:ids');
    if (ids.length === 0) return [];
    const raws = await this.redis.client.mget(...ids.map((id) => `{keys}:id:${id}`));
    return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as ApiKeyRecord);
  }

  async save(record: ApiKeyRecord): Promise<void> {
    await this.redis.client
      .multi()
      .set(`{keys}:id:${record.id}`, JSON.stringify(record))
      .set(`{keys}:hash:${record.hash}`, record.id)
      .sadd('{keys}:ids', record.id)
      .exec();
  }
}
