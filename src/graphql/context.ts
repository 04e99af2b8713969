/** What every resolver receives, over HTTP and over graphql-ws alike. */
import type { Principal } from '../auth/api-key-types.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import type { RequestValidator } from '../rest/request-validator.js';

export interface GraphQLContext {
  gateway: GatewayService;
  /** GraphQL inputs are checked by the same OpenAPI rules as REST bodies. */
  validator: RequestValidator;
  requestId: string;
  /** Who is asking, for rate limits and usage (the client IP until API keys exist). */
  clientId: string;
  /** The authenticated caller; undefined when no valid key was sent. */
  principal: Principal | undefined;
  /** Aborted when the client goes away (HTTP response closed, WebSocket closed). */
  signal: AbortSignal;
}
