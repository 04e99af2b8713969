/**
 * graphql-ws on `/graphql` of the shared HTTP server: clients authenticate in `connection_init`,
 * are capped per client and per connection, and get errors in the catalog's terms.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, parse, validate, type DocumentNode, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { CloseCode, type Context, type SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { bearerToken } from '../auth/access.js';
import type { SecurityConfig } from '../config/security.js';
import type { RequestValidator } from '../contract/request-validator.js';
import { GatewayError } from '../errors.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { upgradeRequestFacts, type RequestFacts } from '../http/request-facts.js';
import { requestIdFrom } from '../http/request-id.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';
import type { Logger } from '../observability/logger.js';
import type { GraphQLContext } from './context.js';
import { OpenConnections } from './open-connections.js';
import { GRAPHQL_PATH } from './graphql-path.js';
import { gatewayErrorExtensions } from './format-error.js';

const GOING_AWAY = 1001;

export interface SubscriptionServerDeps {
  schema: GraphQLSchema;
  httpServer: Server;
  gateway: GatewayService;
  validator: RequestValidator;
  logger: Logger;
  streams: OpenStreams;
  rules: readonly ValidationRule[];
  /** Documents above this many tokens are refused before they are validated. */
  maxTokens: number;
  websocket: SecurityConfig['websocket'];
  /** With authentication off, browsers may connect only from these origins (CORS_ORIGINS). */
  openGatewayOrigins: readonly string[] | undefined;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

type ConnectContext = Context<Record<string, unknown> | undefined, Extra & Partial<ConnectionState>>;

/** What graphql-ws keeps per connection. */
type ConnectionState = {
  facts?: RequestFacts;
  socketClosed?: AbortSignal;
  subscriptions?: number;
};

function tokenFrom(params: Record<string, unknown>): string | undefined {
  const header = typeof params.authorization === 'string' ? params.authorization : typeof params.Authorization === 'string' ? params.Authorization : undefined;
  return bearerToken(header) ?? (typeof params.apiKey === 'string' ? params.apiKey : undefined);
}

/** Open connections per client, so one client cannot hold every socket of a replica. */
class ConnectionCounts {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** False when the client is at its cap; otherwise counts the connection until `release`. */
  tryAdd(clientId: string): boolean {
    const open = this.counts.get(clientId) ?? 0;
    if (open >= this.max) return false;
    this.counts.set(clientId, open + 1);
    return true;
  }

  release(clientId: string): void {
    const remaining = (this.counts.get(clientId) ?? 1) - 1;
    if (remaining <= 0) this.counts.delete(clientId);
    else this.counts.set(clientId, remaining);
  }
}

/**
 * Parses within the token budget and validates with the gateway's rules; errors go back as the
 * operation's error message (the socket stays open), not as a closed connection.
 */
function prepareOperation(deps: SubscriptionServerDeps, payload: SubscribePayload): ExecutionArgs | readonly GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: deps.maxTokens });
  } catch (error) {
    return [error instanceof GraphQLError ? error : new GraphQLError('The document could not be parsed.')];
  }
  const errors = validate(deps.schema, document, deps.rules);
  if (errors.length > 0) return errors;
  return { schema: deps.schema, document, variableValues: payload.variables ?? null, operationName: payload.operationName ?? null };
}

/**
 * An open gateway (no keys) must not be drivable by any web page a developer visits: a browser
 * always sends `Origin`, so only the configured origins may connect. Other clients send none.
 */
function originAllowed(origin: string | undefined, allowed: readonly string[] | undefined): boolean {
  return allowed === undefined || origin === undefined || allowed.includes(origin);
}

/** Authenticates a connection's `connection_init`, caps connections per client and tracks it for re-checks. */
async function admitConnection(ctx: ConnectContext, deps: SubscriptionServerDeps, connections: ConnectionCounts, open: OpenConnections): Promise<boolean> {
  const token = tokenFrom(ctx.connectionParams ?? {});
  const principal = await deps.gateway.authenticate(token);
  // graphql-ws closes a refused connection with 4403 Forbidden.
  if (principal === undefined) return false;
  // The socket may have closed during the lookup: counting it now would never be undone.
  if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
  const facts = upgradeRequestFacts(ctx.extra.request, principal);
  if (!connections.tryAdd(facts.clientId)) {
    ctx.extra.socket.close(CloseCode.Forbidden, 'Too many connections for this client');
    return false;
  }
  const closed = new AbortController();
  ctx.extra.socket.once('close', () => {
    closed.abort(new Error('WebSocket closed'));
    connections.release(facts.clientId);
  });
  Object.assign(ctx.extra, { facts, socketClosed: closed.signal, subscriptions: 0 });
  open.add(ctx.extra.socket, token, facts, () => ctx.extra.subscriptions ?? 0);
  return true;
}

/** Every WebSocket gets a 1001 "Going away" close frame, and a moment for it to be acknowledged. */
async function closeEverySocket(server: WebSocketServer, waitMs = 1_000): Promise<void> {
  const sockets = [...server.clients];
  await Promise.race([
    Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === socket.CLOSED) return resolve();
            socket.once('close', () => resolve());
            socket.close(GOING_AWAY, 'The gateway is restarting');
          }),
      ),
    ),
    new Promise((resolve) => setTimeout(resolve, waitMs).unref()),
  ]);
}

export interface SubscriptionServer {
  /** Takes an HTTP upgrade: a WebSocket on GRAPHQL_PATH from an allowed origin, refused otherwise. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  goAway(): Promise<void>;
  dispose(): Promise<void>;
}

export function createSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const limits = deps.websocket;
  // Upgrades are handed over by lazy-graphql.ts, which starts GraphQL on its first use.
  const wsServer = new WebSocketServer({
    noServer: true,
    path: GRAPHQL_PATH,
    maxPayload: limits.maxPayloadBytes,
    verifyClient: ({ origin }: { origin?: string }) => originAllowed(origin, deps.openGatewayOrigins),
  });
  const connections = new ConnectionCounts(limits.maxConnectionsPerClient);
  const open = new OpenConnections((token) => deps.gateway.authenticate(token));

  const cleanup = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      schema: deps.schema,
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      context: (ctx): GraphQLContext => ({
        ...(ctx.extra.facts ?? upgradeRequestFacts(ctx.extra.request, undefined)),
        // Each operation is a request of its own, with its own id unless the client chose one.
        requestId: requestIdFrom(ctx.extra.request.headers['x-request-id']),
        gateway: deps.gateway,
        validator: deps.validator,
        signal: ctx.extra.socketClosed ?? new AbortController().signal,
        streams: deps.streams,
      }),
      onConnect: (ctx) => admitConnection(ctx, deps, connections, open),
      onSubscribe: (ctx, _id, payload) => {
        const active = ctx.extra.subscriptions ?? 0;
        if (active >= limits.maxSubscriptionsPerConnection) {
          const error = new GatewayError('rate_limit_exceeded', `At most ${limits.maxSubscriptionsPerConnection} subscriptions per connection.`);
          return [new GraphQLError(error.message, { extensions: gatewayErrorExtensions(error) })];
        }
        const prepared = prepareOperation(deps, payload);
        if (Array.isArray(prepared)) return prepared;
        ctx.extra.subscriptions = active + 1;
        return prepared;
      },
      onComplete: (ctx) => {
        ctx.extra.subscriptions = Math.max(0, (ctx.extra.subscriptions ?? 1) - 1);
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors === undefined ? result : { ...result, errors: result.errors.map((error) => deps.formatError(error.toJSON(), error)) },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => deps.formatError(error.toJSON(), error)) as unknown as typeof errors,
    },
    wsServer,
  );

  // Socket errors are the client's doing (an oversized frame, a reset): ws has already answered
  // with the right close code, so log them quietly instead of graphql-ws's console output.
  wsServer.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      deps.logger.debug({ code: error.code }, 'websocket client error');
      socket.terminate();
    });
  });

  return {
    handleUpgrade(request, socket, head) {
      wsServer.handleUpgrade(request, socket, head, (websocket) => wsServer.emit('connection', websocket, request));
    },
    async goAway() {
      await open.settled(1_000);
      await closeEverySocket(wsServer);
    },
    async dispose() {
      open.close();
      await cleanup.dispose();
    },
  };
}
