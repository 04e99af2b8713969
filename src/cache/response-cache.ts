/**
 * The response cache policy: which requests may be cached, under which key, and how entries are
 * written and read. Entries carry a schema version; anything unreadable is a miss.
 */
import { createHash } from 'node:crypto';
import type { CacheConfig } from '../config/load-config.js';
import type { ChatCompletionCommand, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { CacheStore } from './cache-store.js';
import { canonicalJson } from '../json/canonical-json.js';

export const CACHE_SCHEMA_VERSION = 1;

interface CacheEntry {
  v: number;
  result: ChatCompletionResult;
}

export class ResponseCache {
  constructor(
    private readonly config: CacheConfig,
    private readonly store: CacheStore,
  ) {}

  /** Sampling above temperature 0 gives a different answer each time; caching it changes behaviour. */
  isCacheable(command: ChatCompletionCommand): boolean {
    if (!this.config.enabled) return false;
    return this.config.cacheNondeterministic || command.temperature === 0;
  }

  /**
   * Everything that changes the answer, and nothing that does not (`stream`, `user`). `targets`
   * are the resolved `provider/model` pairs, so an alias and its model share entries.
   */
  key(tenant: string, targets: readonly string[], command: ChatCompletionCommand): string {
    const { model: _model, user: _user, ...answerShaping } = command;
    const digest = createHash('sha256')
      .update(canonicalJson({ v: CACHE_SCHEMA_VERSION, tenant, targets, request: answerShaping }))
      .digest('base64url');
    return `cache:${digest}`;
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** An entry for another kind of answer (embeddings), keyed by everything that changes it. */
  keyFor(kind: string, tenant: string, targets: readonly string[], request: unknown): string {
    const digest = createHash('sha256').update(canonicalJson({ v: CACHE_SCHEMA_VERSION, kind, tenant, targets, request })).digest('base64url');
    return `cache:${kind}:${digest}`;
  }

  async readJson<T>(key: string, isValid: (value: unknown) => value is T): Promise<T | undefined> {
    const raw = await this.store.get(key);
    if (raw === undefined) return undefined;
    try {
      const entry = JSON.parse(raw) as { v?: number; result?: unknown };
      return entry.v === CACHE_SCHEMA_VERSION && isValid(entry.result) ? entry.result : undefined;
    } catch {
      return undefined;
    }
  }

  async writeJson(key: string, result: unknown): Promise<void> {
    const value = JSON.stringify({ v: CACHE_SCHEMA_VERSION, result });
    if (Buffer.byteLength(value) > this.config.maxEntryBytes) return;
    await this.store.set(key, value, this.config.ttlSeconds);
  }

  async read(key: string): Promise<ChatCompletionResult | undefined> {
    const raw = await this.store.get(key);
    if (raw === undefined) return undefined;
    try {
      const entry = JSON.parse(raw) as CacheEntry;
      if (entry.v !== CACHE_SCHEMA_VERSION || typeof entry.result?.id !== 'string' || !Array.isArray(entry.result.choices)) return undefined;
      return entry.result;
    } catch {
      return undefined;
    }
  }

  /** Only complete answers are stored, and only under the size limit. */
  async write(key: string, result: ChatCompletionResult): Promise<void> {
    const finish = result.choices[0]?.finishReason;
    if (finish === undefined || finish === 'error') return;
    const value = JSON.stringify({ v: CACHE_SCHEMA_VERSION, result } satisfies CacheEntry);
    if (Buffer.byteLength(value) > this.config.maxEntryBytes) return;
    await this.store.set(key, value, this.config.ttlSeconds);
  }
}
