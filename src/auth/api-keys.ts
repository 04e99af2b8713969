/**
 * Client API keys: created (shown once), listed without secrets, limited, revoked. Keys from
 * API_KEYS are always known, even with Redis away. Lookups are cached for a few seconds so a
 * request does not cost a Redis round trip; a revocation takes effect within that time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecurityConfig } from '../config/security.js';
import { GatewayError } from '../errors.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-types.js';
import type { KeyLimits, Principal } from '../vocabulary/principal.js';

/** With the WebSocket re-check every 2 s, a revocation on another replica reaches every socket within 5 s. */
const LOOKUP_CACHE_MS = 3_000;
const LOOKUP_CACHE_MAX = 10_000;
/** How long a known key waits on the store before its cached record answers (the store is slow or hanging). */
const STALE_GRACE_MS = 50;
const KEY_PREFIX = 'sk-gw-';

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface CreatedKey {
  record: ApiKeyRecord;
  /** The only time the key is ever shown. */
  key: string;
}

const ASK_STORE = Symbol('ask the store');

function principalFor(record: ApiKeyRecord | undefined): Principal | undefined {
  if (record === undefined || record.revokedAt !== null) return undefined;
  return { kind: 'client', keyId: record.id, name: record.name, limits: record.limits };
}

export class ApiKeys {
  private readonly bootstrap = new Map<string, ApiKeyRecord>();
  private readonly adminHash: Buffer | undefined;
  /** Keys found in the store, kept apart so that a flood of unknown tokens can never evict them. */
  private readonly known = new Map<string, { record: ApiKeyRecord; until: number }>();
  private readonly unknown = new Map<string, number>();
  private readonly refreshing = new Map<string, Promise<ApiKeyRecord | undefined>>();

  constructor(
    private readonly config: Pick<SecurityConfig, 'authEnabled' | 'bootstrapKeys' | 'adminKey'>,
    private readonly store: ApiKeyStore,
    private readonly now: () => number = Date.now,
  ) {
    for (const { name, key } of config.bootstrapKeys) {
      const hash = hashKey(key);
      const record: ApiKeyRecord = {
        id: `key_env_${hash.slice(0, 12)}`,
        name,
        prefix: key.slice(0, 8),
        hash,
        createdAt: new Date(0).toISOString(),
        revokedAt: null,
        source: 'env',
        limits: {},
      };
      this.bootstrap.set(hash, record);
    }
    this.adminHash = config.adminKey === undefined ? undefined : createHash('sha256').update(config.adminKey).digest();
  }

  get enabled(): boolean {
    return this.config.authEnabled;
  }

  /**
   * The principal a presented token stands for, or undefined. Work does not depend on what the
   * token looks like: it is hashed first, and only the hash is compared or looked up.
   */
  authenticate(token: string | undefined): Principal | undefined | Promise<Principal | undefined> {
    if (!this.config.authEnabled) return { kind: 'open' };
    if (token === undefined) return undefined;
    const digest = createHash('sha256').update(token).digest();
    if (this.adminHash !== undefined && timingSafeEqual(digest, this.adminHash)) return { kind: 'admin' };
    const hash = digest.toString('hex');
    // Known keys (from the environment, or looked up within LOOKUP_CACHE_MS) answer at once:
    // only a key the store must be asked about costs the request a wait.
    const known = this.knownNow(hash);
    if (known !== ASK_STORE) return principalFor(known);
    return this.lookup(hash).then(principalFor);
  }

  /** What is known about a hash without asking the store, or ASK_STORE. */
  private knownNow(hash: string): ApiKeyRecord | undefined | typeof ASK_STORE {
    const fromEnv = this.bootstrap.get(hash);
    if (fromEnv !== undefined) return fromEnv;
    const now = this.now();
    const cached = this.known.get(hash);
    if (cached !== undefined && cached.until > now) return cached.record;
    if ((this.unknown.get(hash) ?? 0) > now) return undefined;
    return ASK_STORE;
  }

  async create(name: string, limits: KeyLimits): Promise<CreatedKey> {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id: `key_${randomBytes(9).toString('base64url')}`,
      name,
      prefix: key.slice(0, KEY_PREFIX.length + 4),
      hash: hashKey(key),
      createdAt: new Date(this.now()).toISOString(),
      revokedAt: null,
      source: 'api',
      limits,
    };
    await this.persist(() => this.store.save(record));
    return { record, key };
  }

  async list(): Promise<ApiKeyRecord[]> {
    const stored = await this.persist(() => this.store.list());
    return [...this.bootstrap.values(), ...stored].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async update(id: string, limits: KeyLimits): Promise<ApiKeyRecord> {
    const record = await this.mutable(id);
    const updated = { ...record, limits };
    await this.persist(() => this.store.save(updated));
    this.known.delete(record.hash);
    return updated;
  }

  async revoke(id: string): Promise<ApiKeyRecord> {
    const record = await this.mutable(id);
    const revoked = { ...record, revokedAt: record.revokedAt ?? new Date(this.now()).toISOString() };
    await this.persist(() => this.store.save(revoked));
    this.known.delete(record.hash);
    return revoked;
  }

  private async mutable(id: string): Promise<ApiKeyRecord> {
    if ([...this.bootstrap.values()].some((record) => record.id === id)) {
      throw new GatewayError('forbidden', `Key ${id} comes from API_KEYS; change it there.`, { param: 'id' });
    }
    const record = await this.persist(() => this.store.findById(id));
    if (record === undefined) throw new GatewayError('not_found', `No API key with id "${id}".`, { param: 'id' });
    return record;
  }

  /**
   * A hash `knownNow` could not answer. Known keys stay valid from a bounded local cache while the
   * store is away (even past their freshness), unknown ones are refused (fail closed), and a known
   * key never waits on a slow store for more than STALE_GRACE_MS: the refresh goes on in the
   * background and updates the cache.
   */
  private async lookup(hash: string): Promise<ApiKeyRecord | undefined> {
    const cached = this.known.get(hash);
    if (!this.store.isAvailable()) return cached?.record;
    const fetching = this.refresh(hash, cached?.record);
    if (cached === undefined) return fetching;
    let timer: NodeJS.Timeout | undefined;
    const stale = new Promise<ApiKeyRecord>((resolve) => {
      timer = setTimeout(() => resolve(cached.record), STALE_GRACE_MS);
    });
    try {
      return await Promise.race([fetching, stale]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One store lookup per hash at a time; a failed one keeps what was known. */
  private refresh(hash: string, fallback: ApiKeyRecord | undefined): Promise<ApiKeyRecord | undefined> {
    let pending = this.refreshing.get(hash);
    if (pending === undefined) {
      pending = this.store
        .findByHash(hash)
        .then(
          (record) => {
            this.remember(hash, record, this.now() + LOOKUP_CACHE_MS);
            return record;
          },
          () => fallback,
        )
        .finally(() => this.refreshing.delete(hash));
      this.refreshing.set(hash, pending);
    }
    return pending;
  }

  private remember(hash: string, record: ApiKeyRecord | undefined, until: number): void {
    if (record === undefined) {
      this.known.delete(hash);
      if (this.unknown.size >= LOOKUP_CACHE_MAX) this.unknown.clear();
      this.unknown.set(hash, until);
      return;
    }
    this.unknown.delete(hash);
    this.known.delete(hash);
    if (this.known.size >= LOOKUP_CACHE_MAX) this.known.delete(this.known.keys().next().value as string);
    this.known.set(hash, { record, until });
  }

  private async persist<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      throw new GatewayError('store_unavailable', 'API keys are kept in Redis, which cannot be reached right now. Try again shortly.');
    }
  }
}
