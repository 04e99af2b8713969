/**
 * The request path shared by REST and GraphQL: resolve the route, call the provider, record the
 * outcome. Adapters translate their wire formats to these calls and back, and nothing more.
 */
import { isGatewayError, toGatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { ProviderModel } from '../providers/types.js';
import type { HealthReport, ModelSummary, ProviderSummary } from './catalog-types.js';
import type { ChatChunk, ChatCompletionCommand, ChatCompletionResult, RequestContext } from './chat-types.js';
import { partsToChunks } from './parts-to-chunks.js';
import { ProviderStatusTracker } from './provider-status.js';
import { resolveRoute } from './resolve-route.js';

export interface GatewayServiceDeps {
  registry: ProviderRegistry;
  logger: Logger;
  version: string;
  /** How long a provider's model list is reused before it is fetched again. */
  modelListTtlMs?: number;
  now?: () => number;
}

interface CachedModels {
  expiresAt: number;
  models: Promise<ProviderModel[]>;
}

const MODEL_LIST_TIMEOUT_MS = 10_000;

export class GatewayService {
  private readonly statuses = new ProviderStatusTracker();
  private readonly modelLists = new Map<string, CachedModels>();
  private readonly startedAt: number;
  private readonly now: () => number;

  constructor(private readonly deps: GatewayServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
  }

  async createChatCompletion(command: ChatCompletionCommand, context: RequestContext): Promise<ChatCompletionResult> {
    const { provider, upstreamModel } = resolveRoute(command.model, this.deps.registry);
    try {
      const response = await provider.complete({ ...command, model: upstreamModel }, { signal: context.signal, requestId: context.requestId });
      this.statuses.recordSuccess(provider.id);
      return {
        id: response.id,
        created: response.created,
        model: response.model || upstreamModel,
        provider: provider.id,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: response.content, reasoning: response.reasoning, toolCalls: response.toolCalls },
            finishReason: response.finishReason,
          },
        ],
        usage: response.usage,
      };
    } catch (error) {
      throw this.recordFailure(provider.id, error, context);
    }
  }

  /**
   * Yields chunks until the finish chunk. A failure is thrown: before the first chunk it means no
   * token reached the client; after it, the stream was cut and the client must be told so.
   */
  async *streamChatCompletion(command: ChatCompletionCommand, context: RequestContext): AsyncGenerator<ChatChunk> {
    const { provider, upstreamModel } = resolveRoute(command.model, this.deps.registry);
    const parts = provider.stream({ ...command, model: upstreamModel }, { signal: context.signal, requestId: context.requestId });
    try {
      yield* partsToChunks(parts, {
        provider: provider.id,
        requestedModel: upstreamModel,
        includeUsageChunk: context.includeUsageChunk === true,
        now: this.now,
        idPrefix: 'chatcmpl',
      });
      this.statuses.recordSuccess(provider.id);
    } catch (error) {
      throw this.recordFailure(provider.id, error, context);
    }
  }

  async listModels(context: Pick<RequestContext, 'requestId'>): Promise<ModelSummary[]> {
    const configured = this.deps.registry.list().filter((provider) => provider.configuration.configured);
    const lists = await Promise.all(
      configured.map(async (provider) => {
        try {
          const models = await this.cachedModelList(provider.id, context.requestId);
          return models.map<ModelSummary>((model) => ({
            id: `${provider.id}/${model.id}`,
            provider: provider.id,
            upstreamId: model.id,
            ownedBy: model.ownedBy ?? null,
            created: model.created ?? null,
            contextLength: model.contextLength ?? null,
          }));
        } catch (error) {
          this.deps.logger.warn({ provider: provider.id, code: toGatewayError(error).code, requestId: context.requestId }, 'model list unavailable');
          return [];
        }
      }),
    );
    return lists.flat();
  }

  listProviders(): ProviderSummary[] {
    return this.deps.registry.list().map((provider) => this.statuses.summarize(provider));
  }

  health(): HealthReport {
    const providers = this.listProviders().map(({ id, status }) => ({ id, status }));
    const usable = providers.filter((provider) => provider.status !== 'not_configured');
    const status = usable.length === 0 ? 'down' : providers.every((provider) => provider.status === 'available') ? 'ok' : 'degraded';
    return {
      status,
      uptimeSeconds: Math.round((this.now() - this.startedAt) / 1000),
      version: this.deps.version,
      providers,
    };
  }

  private cachedModelList(providerId: string, requestId: string): Promise<ProviderModel[]> {
    const cached = this.modelLists.get(providerId);
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.models;
    const provider = this.deps.registry.get(providerId);
    if (provider === undefined) return Promise.resolve([]);
    const models = provider.listModels({ signal: AbortSignal.timeout(MODEL_LIST_TIMEOUT_MS), requestId });
    this.modelLists.set(providerId, { expiresAt: this.now() + (this.deps.modelListTtlMs ?? 300_000), models });
    // A failed fetch must not be served from the cache until it expires.
    models.catch(() => this.modelLists.delete(providerId));
    return models;
  }

  private recordFailure(providerId: string, error: unknown, context: RequestContext) {
    const gatewayError = toGatewayError(error);
    if (context.signal.aborted) return gatewayError;
    if (isGatewayError(error)) this.statuses.recordFailure(providerId, gatewayError);
    else this.deps.logger.error({ err: error, requestId: context.requestId, provider: providerId }, 'unexpected error on the request path');
    return gatewayError;
  }
}
