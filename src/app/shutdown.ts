/**
 * Graceful shutdown through terminus: readiness turns 503, the process waits SHUTDOWN_DELAY_MS for
 * the load balancer to notice, open streams get SHUTDOWN_GRACE_MS to finish, then the servers,
 * Redis and upstream sockets are closed. Only main.ts lets terminus own the signals.
 */
import type http from 'node:http';
import { createTerminus } from '@godaddy/terminus';
import type { ObservabilityConfig } from '../config/types.js';
import type { HealthChecks } from '../health/health-checks.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { Logger } from '../observability/logger.js';

export interface Shutdown {
  drain(): Promise<void>;
  release(): Promise<void>;
}

/**
 * `drain` and `release` each run once however often they are called. `goAway` ends what is left
 * that no stream terminator reaches (idle WebSockets) with a close frame before servers close.
 */
export function createShutdown(lifecycle: Lifecycle, logger: Logger, settings: ObservabilityConfig, closeAll: () => Promise<void>, goAway: () => Promise<void>): Shutdown {
  let draining: Promise<void> | undefined;
  let releasing: Promise<void> | undefined;
  return {
    drain: () => {
      draining ??= (async () => {
        lifecycle.beginShutdown();
        logger.info({ delayMs: settings.shutdownDelayMs, graceMs: settings.shutdownGraceMs, openStreams: lifecycle.openStreams }, 'shutting down: readiness is now 503; new work is still taken during the delay');
        // The load balancer needs this long to see readiness fail: requests arriving meanwhile are served.
        await new Promise((resolve) => setTimeout(resolve, settings.shutdownDelayMs));
        lifecycle.stopAccepting();
        logger.info({ inFlight: lifecycle.inFlight, openStreams: lifecycle.openStreams }, 'refusing new work; waiting for what is in flight');
        await lifecycle.drain(settings.shutdownGraceMs);
        await goAway();
      })();
      return draining;
    },
    release: () => {
      releasing ??= (async () => {
        await closeAll();
        logger.info('shut down cleanly');
      })();
      return releasing;
    },
  };
}

export function serveHealthAndSignals(httpServer: http.Server, health: HealthChecks, shutdown: Shutdown, logger: Logger, handleSignals: boolean): void {
  const signalListenersBefore = new Set(process.listeners('SIGTERM'));
  createTerminus(httpServer, {
    healthChecks: { '/health/live': health.live, '/health/ready': health.ready, verbatim: true },
    statusOkResponse: {},
    statusErrorResponse: {},
    // Our readiness check answers 503 with a full report during shutdown; liveness stays 200.
    sendFailuresDuringShutdown: false,
    signals: handleSignals ? ['SIGTERM', 'SIGINT'] : [],
    beforeShutdown: shutdown.drain,
    onSignal: shutdown.release,
    // Connections still open after draining (idle keep-alives) are closed within this.
    timeout: 5_000,
    useExit0: true,
    logger: (message, error) => logger.error({ err: error }, message),
  });
  if (!handleSignals) {
    // terminus always traps SIGTERM; an embedded or test app must leave signals to its host.
    for (const listener of process.listeners('SIGTERM')) {
      if (!signalListenersBefore.has(listener)) process.removeListener('SIGTERM', listener);
    }
  }
}

/**
 * Called once the drain has let every tracked request finish, so whatever connection is still open
 * carries no answer anyone waits for (an idle keep-alive, a socket its client abandoned): all of
 * them are closed, rather than holding the process until their clients let go.
 */
export function closeServer(server: http.Server | undefined): Promise<void> {
  if (server?.listening !== true) return Promise.resolve();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}
