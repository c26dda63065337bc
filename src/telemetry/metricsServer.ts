/**
 * `GET /metrics` on its own port (`METRICS_PORT`, 9464 by default: the port OpenTelemetry's
 * Prometheus exporter uses), never on the GraphQL port: a scrape is no client request (no CORS,
 * request ids, deadlines or limits), and the metrics port can stay inside the cluster while the
 * GraphQL port is routed to. Anything else on it is 404.
 */
import { createServer, type Server } from 'node:http';
import { listen, reachableHost } from '../http/listen.ts';
import type { Logger } from '../log/logger.ts';
import type { GatewayMetrics } from './metrics.ts';

export const METRICS_PATH = '/metrics';

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: {
  readonly metrics: GatewayMetrics;
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
}): Promise<MetricsServer> {
  const { metrics, logger } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.statusCode = 404;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(`Not found. Metrics are served at GET ${METRICS_PATH}.\n`);
      return;
    }
    metrics.scrape().then(
      (text) => {
        res.setHeader('content-type', metrics.contentType);
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        res.statusCode = 500;
        res.end();
      },
    );
  });
  // A scrape is one short request; an idle scraper connection must not hold shutdown.
  server.keepAliveTimeout = 5_000;
  // A taken port rejects with a one-line reason naming METRICS_PORT (listen.ts).
  const port = await listen(server, { variable: 'METRICS_PORT', port: options.port, host: options.host });
  const host = reachableHost(options.host);
  return {
    url: `http://${host}:${port}${METRICS_PATH}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
