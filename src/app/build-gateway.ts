/** The gateway service, assembled from configuration, the stores and the provider registry. */
import { ApiKeys } from '../auth/api-keys.js';
import type { GatewayConfig } from '../config/types.js';
import { GatewayService } from '../gateway/gateway-service.js';
import type { ProviderRegistry } from '../gateway/provider-registry.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { OutputFilter } from '../output/output-filter.js';
import type { Tracing } from '../observability/tracing.js';
import { GATEWAY_VERSION } from '../version.js';
import type { Stores } from './stores.js';

export interface GatewayParts {
  tracing: Tracing;
  registry: ProviderRegistry;
  stores: Stores;
  logger: Logger;
  metrics: GatewayMetrics;
  lifecycle: Lifecycle;
}

export function buildGateway(config: GatewayConfig, parts: GatewayParts): GatewayService {
  const { stores, lifecycle } = parts;
  return new GatewayService({
    registry: parts.registry,
    routing: config.routing,
    logger: parts.logger,
    version: GATEWAY_VERSION,
    requestTimeoutMs: config.requestTimeoutMs,
    retryBudget: config.retryBudget,
    cooldowns: config.cooldowns,
    cache: stores.cache,
    limiter: stores.limiter,
    usage: stores.usage,
    ...(stores.redis === undefined ? {} : { redisReady: stores.redis.isReady }),
    apiKeys: new ApiKeys(config.security, stores.apiKeys),
    spend: stores.spend,
    inputLimits: config.security,
    outputFilter: new OutputFilter(config.security.output),
    metrics: parts.metrics,
    logContent: config.observability.logContent,
    isShuttingDown: () => lifecycle.refusingNewWork,
    tracing: parts.tracing,
  });
}
