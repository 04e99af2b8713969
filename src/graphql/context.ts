/** What every resolver receives, over HTTP and over graphql-ws alike. */
import type { Principal } from '../auth/api-key-types.js';
import type { ResponseReport } from '../gateway/chat-types.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { RequestValidator } from '../rest/request-validator.js';

export interface GraphQLContext {
  gateway: GatewayService;
  /** GraphQL inputs are checked by the same OpenAPI rules as REST bodies. */
  validator: RequestValidator;
  requestId: string;
  /** Who is asking, for rate limits and usage (the API key id; the client IP when authentication is off). */
  clientId: string;
  /** The authenticated caller; undefined when no valid key was sent. */
  principal: Principal | undefined;
  /** The HTTP request's report, for its log line; absent over WebSocket. */
  report?: ResponseReport;
  /** Where open subscriptions register, for shutdown and the active-streams gauge. */
  streams: { lifecycle: Lifecycle; metrics: GatewayMetrics };
  /** Aborted when the client goes away (HTTP response closed, WebSocket closed). */
  signal: AbortSignal;
}
