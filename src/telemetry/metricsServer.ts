/**
 * `GET /metrics` on its own port (`METRICS_PORT`, 9464 by default: the port OpenTelemetry's
 * Prometheus exporter uses), never on the GraphQL port: a scrape is no client request (no CORS,
 * request ids, deadlines or limits), and the metrics port can stay inside the cluster while the
 * GraphQL port is routed to. Anything else on it is 404.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.ts';
import type { GatewayMetrics } from './metrics.ts';

export const METRICS_PATH = '/metrics';

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export class MetricsPortError extends Error {
  override readonly name = 'MetricsPortError';
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
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new MetricsPortError(
        `METRICS_PORT ${options.port} on ${options.host} is ${code === 'EADDRINUSE' ? 'already in use' : 'not ours to use'}: set METRICS_PORT to a free port (0 picks one)`,
        { cause: error },
      );
    }
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
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
