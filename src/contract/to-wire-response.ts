/** Catalog results (models, providers, deployments, health) -> wire bodies, typed by the OpenAPI spec. */
import type { DeploymentSummary, ModelSummary, ProviderHealthResult, ProviderSummary } from '../gateway/catalog-types.js';
import type {
  DeploymentBody,
  ModelBody,
  ModelListBody,
  ProviderBody,
  ProviderHealthBody,
  ProviderListBody,
} from './openai-wire-types.js';

export function toWireModel(model: ModelSummary): ModelBody {
  return {
    id: model.id,
    object: 'model',
    created: model.created ?? 0,
    owned_by: model.ownedBy ?? model.provider,
    provider: model.provider,
    context_length: model.contextLength,
  };
}

export function toWireModelList(models: ModelSummary[]): ModelListBody {
  return { object: 'list', data: models.map(toWireModel) };
}

function toWireDeployment(deployment: DeploymentSummary): DeploymentBody {
  return {
    id: deployment.id,
    model: deployment.model,
    key: deployment.key,
    state: deployment.state,
    failures: deployment.failures,
    cooling_until: deployment.coolingUntil,
    in_flight: deployment.inFlight,
    latency_ms: deployment.latencyMs,
  };
}

export function toWireProvider(provider: ProviderSummary): ProviderBody {
  return {
    id: provider.id,
    kind: provider.kind,
    configured: provider.configured,
    enabled: provider.enabled,
    status: provider.status,
    breaker_state: provider.breakerState,
    missing_configuration: provider.missingConfiguration,
    models: provider.models === null ? null : [...provider.models],
    last_error: provider.lastError,
    keys: [...provider.keys],
    deployments: provider.deployments.map(toWireDeployment),
  };
}

export function toWireProviderList(providers: ProviderSummary[]): ProviderListBody {
  return { object: 'list', data: providers.map(toWireProvider) };
}

export function toWireProviderHealth(health: ProviderHealthResult): ProviderHealthBody {
  return {
    id: health.id,
    status: health.status,
    breaker_state: health.breakerState,
    reachable: health.reachable,
    latency_ms: health.latencyMs,
    error_code: health.errorCode,
    checked_at: health.checkedAt,
    deployments: health.deployments.map(toWireDeployment),
  };
}
