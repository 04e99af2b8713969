/**
 * Responses kept for `previous_response_id` and `GET /v1/responses/{id}`: the response as answered
 * and the conversation that led to it. The owner's key is part of the storage key, so another key
 * cannot read, continue or delete it (it is simply not found). Redis when it is reachable; this
 * replica's memory otherwise, so a response stored while Redis is away is not lost to its replica.
 */
import type { ChatMessage } from '../vocabulary/chat-request.js';
import type { CacheStore } from './cache-store.js';

export interface StoredResponse<Body> {
  response: Body;
  conversation: ChatMessage[];
}

export interface SharedStore extends CacheStore {
  readonly ready: boolean;
}

export class StoredResponses<Body> {
  constructor(
    private readonly memory: CacheStore,
    private readonly shared: SharedStore | undefined,
    private readonly ttlSeconds: number,
  ) {}

  private key(owner: string, id: string): string {
    return `responses:${owner}:${id}`;
  }

  async save(owner: string, id: string, stored: StoredResponse<Body>): Promise<void> {
    const value = JSON.stringify(stored);
    if (this.shared?.ready === true) await this.shared.set(this.key(owner, id), value, this.ttlSeconds);
    else await this.memory.set(this.key(owner, id), value, this.ttlSeconds);
  }

  async load(owner: string, id: string): Promise<StoredResponse<Body> | undefined> {
    const key = this.key(owner, id);
    const value = (await this.memory.get(key)) ?? (await this.shared?.get(key));
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as StoredResponse<Body>;
    } catch {
      return undefined;
    }
  }

  async delete(owner: string, id: string): Promise<boolean> {
    const key = this.key(owner, id);
    const [inMemory, inShared] = await Promise.all([this.memory.delete(key), this.shared?.delete(key) ?? Promise.resolve(false)]);
    return inMemory || inShared;
  }
}
