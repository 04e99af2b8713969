/** What every resolver receives, over HTTP and over graphql-ws alike. */
import type { RequestValidator } from '../contract/request-validator.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import type { RequestFacts } from '../http/request-facts.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';

export interface GraphQLContext extends RequestFacts {
  gateway: GatewayService;
  /** GraphQL inputs are checked by the same OpenAPI rules as REST bodies. */
  validator: RequestValidator;
  /** Where open subscriptions register, for shutdown and the active-streams gauge. */
  streams: OpenStreams;
  /** Aborted when the client goes away (HTTP response closed, WebSocket closed). */
  signal: AbortSignal;
}
