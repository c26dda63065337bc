/**
 * What SIGTERM does to a replica behind a load balancer (README "Deployment"):
 *
 * 1. Readiness off at once: `/ready` answers 503 and every answer carries `Connection: close`
 *    (clients and proxies reconnect, to another replica), while the server keeps serving for
 *    `delayMs`. Kubernetes removes a terminating pod from its Service's endpoints in parallel
 *    with sending SIGTERM, and kube-proxy, ingress controllers and balancers polling `/ready`
 *    (HAProxy) notice a little later: requests they still send in that window are answered.
 * 2. Stop accepting connections and drain the requests in flight, for at most `drainTimeoutMs`
 *    (Apollo's drain plugin: idle keep-alive connections end at once, busy ones after their
 *    answer, and whatever is left is cut when the time is up).
 * 3. Close what the gateway holds (the upstream pool and every `onStop` closer, all at once,
 *    within `CLOSE_MARGIN_MS`), exit 0.
 *
 * A second signal skips what is left of the delay; a signal during the drain cuts the
 * connections still open (a person pressing Ctrl-C twice wants it over; Kubernetes and Docker
 * send SIGTERM once, then SIGKILL at the end of the grace period). A watchdog exits with 1 if the
 * whole sequence outlives its budget, so the grace period is never the thing that ends it.
 */
import type { Server } from 'node:http';
import type { Logger } from '../log/logger.ts';

/*
 * The shutdown budget's numbers are stated here and only here; README "Deployment",
 * deploy/configmap.yaml and src/telemetry/tracing.ts cite them.
 *
 *   budget = SHUTDOWN_DELAY_MS + SHUTDOWN_DRAIN_TIMEOUT_MS + CLOSE_MARGIN_MS
 */

/**
 * The closing step, after the drain: every closer (the upstream pool, Redis, the metrics server,
 * the last flush of spans, the embedded emulator) runs at once (startGateway.ts `stop()`), and
 * all are done within this.
 */
export const CLOSE_MARGIN_MS = 5_000;

/**
 * The slowest closer is the last flush of spans to the OTLP collector: it waits at most the
 * smaller of the exporter's timeout (`OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT`) and this, whatever
 * the collector does, which leaves 2 s of the closing step for the other closers and the exit.
 */
export const SPAN_FLUSH_CAP_MS = 3_000;

export interface ShutdownTimings {
  readonly delayMs: number;
  readonly drainTimeoutMs: number;
}

/**
 * The longest a SIGTERM can take to end the process. Kubernetes' terminationGracePeriodSeconds
 * must exceed it (plus any preStop sleep, which the grace period also counts).
 */
export function shutdownBudgetMs(timings: ShutdownTimings): number {
  return timings.delayMs + timings.drainTimeoutMs + CLOSE_MARGIN_MS;
}

/** The part of the gateway the sequence drives (see startGateway.ts). */
export interface Drainable {
  readonly httpServer: Server;
  /** `/ready` answers 503 and answers carry `Connection: close`; requests are still served. */
  stopTakingTraffic(): void;
  /** Stops accepting, drains in-flight requests (bounded), closes what the gateway holds. */
  stop(): Promise<void>;
}

export interface ShutdownOptions {
  readonly gateway: Drainable;
  readonly timings: ShutdownTimings;
  readonly logger: Logger;
  /** Ends the process (main.ts: `process.exit`). */
  readonly exit: (code: number) => void;
}

/** Returns the signal handler: the first call starts the sequence, later ones hurry it. */
export function createShutdown(options: ShutdownOptions): (signal: NodeJS.Signals) => void {
  const { gateway, timings, logger } = options;
  let phase: 'serving' | 'delaying' | 'draining' = 'serving';
  let skipDelay: (() => void) | undefined;

  async function run(signal: NodeJS.Signals): Promise<void> {
    const startedAt = performance.now();
    const budgetMs = shutdownBudgetMs(timings);
    // Unref'd: it must never be what keeps a finished process alive.
    setTimeout(() => {
      logger.error({ budgetMs }, 'shutdown outlived its budget; exiting now');
      options.exit(1);
    }, budgetMs).unref();

    gateway.stopTakingTraffic();
    logger.info(
      { signal, delayMs: timings.delayMs, budgetMs },
      'shutting down: /ready answers 503, still serving until the delay ends',
    );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timings.delayMs);
      skipDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    });

    phase = 'draining';
    logger.info(
      { drainTimeoutMs: timings.drainTimeoutMs },
      'draining: no new connections, finishing the requests in flight',
    );
    try {
      await gateway.stop();
      logger.info({ elapsedMs: Math.round(performance.now() - startedAt) }, 'stopped');
      options.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      options.exit(1);
    }
  }

  return (signal) => {
    switch (phase) {
      case 'serving':
        phase = 'delaying';
        void run(signal);
        return;
      case 'delaying':
        logger.info({ signal }, 'second signal: skipping the rest of the shutdown delay');
        skipDelay?.();
        return;
      case 'draining':
        logger.warn({ signal }, 'signal during the drain: closing the connections still open');
        gateway.httpServer.closeAllConnections();
        return;
    }
  };
}
