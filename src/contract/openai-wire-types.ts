/** The REST contract's types, named for use; all come from the generated OpenAPI types. */
import type { components } from '../generated/openapi.js';

type Schemas = components['schemas'];
export type CreateChatCompletionRequest = Schemas['CreateChatCompletionRequest'];
export type WireChatMessage = Schemas['ChatMessage'];
export type ChatCompletionBody = Schemas['ChatCompletion'];
export type ChatCompletionChunkBody = Schemas['ChatCompletionChunk'];
export type UsageBody = Schemas['Usage'];
export type GatewayFactsBody = Schemas['GatewayFacts'];
export type ModelListBody = Schemas['ModelList'];
export type ModelBody = Schemas['Model'];
export type ProviderListBody = Schemas['ProviderList'];
export type ProviderBody = Schemas['Provider'];
export type DeploymentBody = Schemas['Deployment'];
export type ProviderHealthBody = Schemas['ProviderHealth'];
export type HealthReportBody = Schemas['HealthReport'];
export type ErrorResponseBody = Schemas['ErrorResponse'];
