/**
 * Liveness and readiness for @godaddy/terminus. Liveness is about this process: it answers, so it
 * is `ok`. Readiness is about this replica: it fails while the event loop lags and from the moment
 * shutdown begins, and then says `down`. Providers failing or Redis being away only degrade the
 * report: every replica would fail alike, and a load balancer taking them all out would turn a
 * provider incident into a total outage. Neither ever calls an upstream provider.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { GatewayService } from '../gateway/gateway-service.js';
import type { components } from '../generated/openapi.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';

type HealthReportBody = components['schemas']['HealthReport'];

const LAG_WINDOW_MS = 10_000;

/** What terminus turns into a non-200 answer with this body. */
export class HealthCheckFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly statusResponse: HealthReportBody,
  ) {
    super('not ready');
  }
}

export class HealthChecks {
  private readonly lag: IntervalHistogram;
  private readonly resetTimer: NodeJS.Timeout;

  constructor(
    private readonly gateway: GatewayService,
    private readonly lifecycle: Lifecycle,
    private readonly eventLoopLagMaxMs: number,
  ) {
    this.lag = monitorEventLoopDelay({ resolution: 20 });
    this.lag.enable();
    this.resetTimer = setInterval(() => this.lag.reset(), LAG_WINDOW_MS);
    this.resetTimer.unref();
  }

  live = async (): Promise<HealthReportBody> => ({ ...this.report(), status: 'ok', checks: 'liveness: this process answers' });

  ready = async (): Promise<HealthReportBody> => {
    const body: HealthReportBody = { ...this.report(), checks: 'readiness: this replica can take traffic (not shutting down, event loop not lagging); providers and Redis are reported, not required' };
    const lagging = (body.event_loop_lag_ms ?? 0) > this.eventLoopLagMaxMs;
    if (body.shutting_down === true || lagging) throw new HealthCheckFailure(503, { ...body, status: 'down' });
    return body;
  };

  close(): void {
    clearInterval(this.resetTimer);
    this.lag.disable();
  }

  private report(): HealthReportBody {
    const report = this.gateway.health();
    return {
      status: report.status,
      uptime_seconds: report.uptimeSeconds,
      version: report.version,
      redis: report.redis,
      providers: report.providers,
      event_loop_lag_ms: Math.round(this.lag.percentile(99) / 1e6),
      shutting_down: this.lifecycle.shuttingDown,
    };
  }
}
