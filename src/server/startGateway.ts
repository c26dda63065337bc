/**
 * Assembles the gateway: upstream client, schema, Apollo Server and the HTTP server, then
 * listens. Takes its configuration as an argument (tests start as many as they like on port 0)
 * and hands back a `stop()` that drains in-flight requests before closing the upstream pool and
 * every other resource registered with `onStop()`. The SIGTERM sequence around it (readiness
 * off, the delay) is in shutdown.ts.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Config } from '../config/config.ts';
import { createFormatError } from '../errors/format.ts';
import { createCursorCodec } from '../graphql/connection.ts';
import { createContext, type GatewayContext } from '../graphql/context.ts';
import { createWireEnumReader } from '../graphql/enumValues.ts';
import { createWirePresenter } from '../graphql/wirePresentation.ts';
import { listen, reachableHost } from '../http/listen.ts';
import type { Logger } from '../log/logger.ts';
import { throttledWarn } from '../log/throttledWarn.ts';
import { GatewayMetrics } from '../telemetry/metrics.ts';
import { startMetricsServer } from '../telemetry/metricsServer.ts';
import { createUpstreamClient } from '../upstream/httpClient.ts';
import { createReferralsApi } from '../upstream/referralsApi.ts';
import type { RetryPolicy } from '../upstream/retryPolicy.ts';
import { buildSchema } from './buildSchema.ts';
import { SANDBOX_DOCUMENT } from './exampleOperation.ts';
import { createHttpHandler, GRAPHQL_PATH } from './httpHandler.ts';
import { createJitExecutor, staticSchemaGateway } from './jitExecutor.ts';
import { loggingPlugin } from './loggingPlugin.ts';
import { DEFAULT_REQUEST_BUDGETS } from './requestBudgets.ts';
import { boundedStringify, responseLimitsPlugin } from './responseLimits.ts';
import { securityRules } from './securityRules.ts';
import { openSharedState } from './sharedState.ts';
import { SPAN_FLUSH_CAP_MS } from './shutdown.ts';
import { telemetryPlugin } from './telemetryPlugin.ts';

export interface GatewayOptions {
  readonly config: Config;
  /** The Partner API base URL up to the version (`…/v1.0`). */
  readonly partnerApiUrl: string;
  readonly logger: Logger;
  /** Headers Apollo Sandbox starts with (used for the embedded emulator's demo token). */
  readonly sandboxHeaders?: Readonly<Record<string, string>>;
  /** The upstream client's retries and retry budget; `DEFAULT_RETRY_POLICY` unless a test sets one. */
  readonly retryPolicy?: RetryPolicy;
}

export interface Gateway {
  /** `http://host:port/graphql`. */
  readonly url: string;
  readonly port: number;
  readonly httpServer: Server;
  /** `http://host:port/metrics`, on `METRICS_PORT` (not the GraphQL port). */
  readonly metricsUrl: string;
  readonly metricsPort: number;
  /**
   * Readiness off: `/ready` answers 503 and every answer carries `Connection: close`, while
   * requests are still served (the first step of shutdown.ts).
   */
  stopTakingTraffic(): void;
  /**
   * Registers something `stop()` closes once the HTTP server has drained (a metrics server, a
   * Redis client…). Closers run together, nothing uses them by then; one failing fails `stop()`
   * only after the others have run.
   */
  onStop(closer: () => Promise<void> | void): void;
  /**
   * Stops accepting connections, lets in-flight requests finish (at most
   * `config.shutdown.drainTimeoutMs`, then the rest are cut), then runs the closers (the
   * upstream pool's among them).
   */
  stop(): Promise<void>;
}

/** How often an unknown enum value of one enum is logged (with the count of repeats in between). */
const UNKNOWN_ENUM_WARN_INTERVAL_MS = 60_000;

type Closer = () => Promise<void> | void;

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const metrics = new GatewayMetrics({
    maxOperationNames: config.metrics.maxOperationNames,
    operationNames: config.metrics.operationNames,
  });
  // Loaded only when an OTLP endpoint is configured: otherwise the SDK is never even imported.
  const tracing =
    config.tracing === undefined
      ? undefined
      : (await import('../telemetry/tracing.ts')).createTracing(config.tracing, logger, SPAN_FLUSH_CAP_MS);
  const upstream = createUpstreamClient(config.upstream, options.retryPolicy, { tracing, observer: metrics });
  /**
   * What `stop()` closes once the HTTP server has drained: all at once, within the closing step
   * of the shutdown budget (shutdown.ts `CLOSE_MARGIN_MS`), so the metrics server closes beside
   * the last flush of spans, not after it. Each resource is added as it is opened.
   */
  const closers: Closer[] = [() => upstream.close(), () => tracing?.shutdown()];
  let startedApollo: ApolloServer<GatewayContext> | undefined;
  try {
    // The APQ cache and the idempotency records: in memory, or on Redis with REDIS_URL (sharedState.ts).
    const shared = await openSharedState(config, logger);
    closers.push(() => shared.close());
    // Live data carries such values on every read (salesStage "100", docs/partner-api.md §5.3): one
    // line per enum a minute, not one per field served. Enum names are the schema's: a bounded set.
    const unknownEnumWarn = throttledWarn(logger, UNKNOWN_ENUM_WARN_INTERVAL_MS);
    const readWireEnum = createWireEnumReader((enumName, value) =>
      unknownEnumWarn(`Partner API sent a ${enumName} value the schema does not know; answering null`, {
        enumName,
        value,
      }),
    );
    const schema = buildSchema({ readWireEnum });
    // Referrals and deal registrations get their tolerant fields answered before GraphQL reads them.
    const present = createWirePresenter(schema, readWireEnum);

    let ready = false;
    const httpServer = createServer({
      // Slow clients: the headers must arrive within headersTimeout, the body within the request
      // deadline (the handler's timer, which answers 408 with a request id). Node's own
      // requestTimeout is the backstop a little after it. Node checks these every
      // connectionsCheckingInterval (30 s by default, far coarser than the deadline).
      requestTimeout: config.requestTimeoutMs + 2_000,
      headersTimeout: Math.min(config.http.headersTimeoutMs, config.requestTimeoutMs),
      keepAliveTimeout: config.http.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs),
    });
    httpServer.maxConnections = config.http.maxConnections;
    // Operation limits, checked before execution (see securityRules.ts).
    const security = securityRules({
      limits: config.operationLimits,
      production: config.production,
      maxUpstreamCalls: config.budgets.maxUpstreamCalls,
    });
    const apollo = new ApolloServer<GatewayContext>({
      ...(config.executor.kind === 'jit'
        ? { gateway: staticSchemaGateway(schema, createJitExecutor(schema, config.executor)) }
        : { schema }),
      introspection: !config.production,
      includeStacktraceInErrorResponses: false,
      formatError: createFormatError({ hideSuggestions: config.production }),
      // Apollo's default, stated because it matters: no GET mutations, no simple cross-site POSTs.
      csrfPrevention: true,
      allowBatchedHttpRequests: false,
      validationRules: security.validationRules,
      parseOptions: security.parseOptions,
      hideSchemaDetailsFromClientErrors: security.hideSchemaDetailsFromClientErrors,
      // main.ts owns SIGTERM/SIGINT (it also closes the upstream pool and the emulator); Apollo's
      // own handlers would race it for the same stop().
      stopOnTerminationSignals: false,
      stringifyResult: boundedStringify(config.budgets.maxResponseBytes),
      persistedQueries: shared.persistedQueries,
      logger,
      plugins: [
        // Past the drain timeout the connections still open are cut (see shutdown.ts).
        ApolloServerPluginDrainHttpServer({
          httpServer,
          stopGracePeriodMillis: config.shutdown.drainTimeoutMs,
        }),
        // Federated traces (ftv1) would send resolver timings and unmasked error text to any
        // caller that asks for them with a header.
        ApolloServerPluginInlineTraceDisabled(),
        // The schema sets no cache hints, yet the default cache-control plugin wraps every field
        // resolver to collect them (willResolveField): about 6% of CPU on a 50-referral list.
        ApolloServerPluginCacheControlDisabled(),
        config.production
          ? ApolloServerPluginLandingPageDisabled()
          : ApolloServerPluginLandingPageLocalDefault({
              embed: true,
              document: SANDBOX_DOCUMENT,
              ...(options.sandboxHeaders ? { headers: { ...options.sandboxHeaders } } : {}),
            }),
        loggingPlugin(),
        ...security.plugins,
        responseLimitsPlugin({
          maxResponseBytes: config.budgets.maxResponseBytes,
          maxErrors: DEFAULT_REQUEST_BUDGETS.maxErrors,
        }),
        // After responseLimitsPlugin: it reads the answer as the client gets it.
        telemetryPlugin(metrics),
      ],
    });
    await apollo.start();
    startedApollo = apollo;

    const contextDeps = {
      api: createReferralsApi({ baseUrl: options.partnerApiUrl, client: upstream }),
      logger,
      budgets: config.budgets,
      writeMode: config.writeMode,
      // Shared by every request (and, on Redis, every replica): a repeated create must find its key.
      idempotency: shared.idempotency,
      present,
      // Unset: a key of this process only (CURSOR_SECRET shares one between replicas).
      cursors: createCursorCodec(
        config.cursorSecret === undefined ? randomBytes(32) : Buffer.from(config.cursorSecret),
      ),
    };
    const handle = createHttpHandler({
      apollo,
      createContext: async (headers, lifetime, requestId, observer) =>
        createContext(contextDeps, headers, lifetime, requestId, observer),
      maxRequestBytes: config.maxRequestBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      isReady: () => ready,
      logger,
      cors: { allowedOrigins: new Set(config.corsOrigins), maxAgeSeconds: 600 },
      telemetry: { metrics, tracing },
    });
    httpServer.on('request', (req, res) => void handle(req, res));

    // First: a taken METRICS_PORT fails the start before the gateway takes any request.
    const metricsServer = await startMetricsServer({
      metrics,
      port: config.metrics.port,
      host: config.host,
      logger,
    });
    closers.push(() => metricsServer.close());
    // A taken PORT rejects with a one-line reason naming it (listen.ts), as METRICS_PORT does.
    const port = await listen(httpServer, { variable: 'PORT', port: config.port, host: config.host });
    ready = true;

    let stopping: Promise<void> | undefined;
    return {
      url: `http://${reachableHost(config.host)}:${port}${GRAPHQL_PATH}`,
      port,
      httpServer,
      metricsUrl: metricsServer.url,
      metricsPort: metricsServer.port,
      stopTakingTraffic() {
        ready = false;
      },
      onStop(closer) {
        closers.push(closer);
      },
      stop() {
        stopping ??= (async () => {
          ready = false;
          await apollo.stop();
          const results = await Promise.allSettled(closers.map(async (close) => close()));
          const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
          if (failures.length > 0) throw new AggregateError(failures, 'closing the gateway failed');
        })();
        return stopping;
      },
    };
  } catch (error) {
    // Whatever failed (a taken port, Apollo's start…), nothing opened so far stays behind: a
    // Redis client reconnecting forever or a listening metrics port would hold the process.
    await startedApollo?.stop().catch(() => undefined);
    await Promise.allSettled(closers.map(async (close) => close()));
    throw error;
  }
}
