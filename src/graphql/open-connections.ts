/**
 * Open graphql-ws connections, re-authenticated every few seconds: a key revoked by the admin (or
 * given narrower limits or allowed models) reaches sockets opened before the change. A revoked
 * key's socket is closed with 4403; a changed key's new operations run under its new limits.
 */
import type { WebSocket } from 'ws';
import type { Principal } from '../vocabulary/principal.js';
import type { RequestFacts } from '../http/request-facts.js';

/** With the key lookup cache's 3 s, a revocation reaches every socket within five seconds. */
const RECHECK_MS = 2_000;
export const REVOKED_CLOSE_CODE = 4403;

interface Connection {
  socket: WebSocket;
  token: string | undefined;
  facts: RequestFacts;
  /** Operations still running on it. */
  active: () => number;
}

export class OpenConnections {
  private readonly connections = new Set<Connection>();
  private readonly timer: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly authenticate: (token: string | undefined) => Principal | undefined | Promise<Principal | undefined>) {
    this.timer = setInterval(() => void this.recheck(), RECHECK_MS);
    this.timer.unref();
  }

  /** Tracks the connection until its socket closes. */
  add(socket: WebSocket, token: string | undefined, facts: RequestFacts, active: () => number): void {
    const connection = { socket, token, facts, active };
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
  }

  async recheck(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const connection of [...this.connections]) {
        const principal = await this.authenticate(connection.token);
        if (principal === undefined) {
          connection.socket.close(REVOKED_CLOSE_CODE, 'API key revoked');
          this.connections.delete(connection);
        } else {
          connection.facts.principal = principal;
        }
      }
    } finally {
      this.checking = false;
    }
  }

  /** Until every operation has sent its last message (or `waitMs` passed): a close frame must not overtake them. */
  async settled(waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && [...this.connections].some((connection) => connection.active() > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
