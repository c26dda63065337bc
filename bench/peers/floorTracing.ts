/**
 * Tracing for the GraphQL floors (graphqlFloor.ts), switched on by OTEL_EXPORTER_OTLP_ENDPOINT as
 * the gateway's is: the spans the gateway makes for one operation, and no other work, so that
 * `apollo-floor+tracing` minus `apollo-floor` is what OpenTelemetry's SDK itself costs for them
 * (issue #14, target 4).
 *
 * Same SDK set-up as the gateway: its own config parser and `createTracing`
 * (src/telemetry/tracing.ts: tracer provider, sampler, batch processor, OTLP protobuf exporter).
 * Same spans and attributes: a SERVER span for the HTTP request continuing the caller's
 * `traceparent` and the GraphQL operation span inside it, as src/server/requestTelemetry.ts makes
 * them (copied: its class also records the gateway's metrics, which the floor must not pay for),
 * and each upstream call's CLIENT span and `traceparent` from the gateway's own `startAttempt`
 * (src/upstream/upstreamTelemetry.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import type { Tracing } from '../../src/telemetry/tracing.ts';
import type {
  Attempt,
  startAttempt as StartAttempt,
  TraceParent,
} from '../../src/upstream/upstreamTelemetry.ts';

/**
 * The gateway's configuration and SDK, loaded only with an OTLP endpoint, as
 * src/server/startGateway.ts loads the SDK: a floor without tracing must not carry their modules
 * in its heap (its RSS is a floor of target 5).
 */
async function startTracing(): Promise<{ tracing: Tracing; startAttempt: typeof StartAttempt } | undefined> {
  const [{ loadConfig }, { createLogger }, { createTracing }, { startAttempt }] = await Promise.all([
    import('../../src/config/config.ts'),
    import('../../src/log/logger.ts'),
    import('../../src/telemetry/tracing.ts'),
    import('../../src/upstream/upstreamTelemetry.ts'),
  ]);
  const config = loadConfig(process.env).tracing;
  if (config === undefined) return undefined;
  return { tracing: createTracing(config, createLogger('warn'), 5000), startAttempt };
}

const sdk = process.env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? undefined : await startTracing();
const tracing = sdk?.tracing;

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** One operation's spans; every method is a no-op when tracing is off. */
export class FloorTrace implements TraceParent {
  readonly #http: Span | undefined;
  readonly #operation: Span | undefined;
  /** The parent of upstream spans. */
  readonly traceContext: Context | undefined;

  constructor(headers: IncomingHttpHeaders, method: string, path: string) {
    if (tracing === undefined) return;
    const parent = tracing.propagator.extract(ROOT_CONTEXT, headers, headerGetter);
    this.#http = tracing.tracer.startSpan(
      `${method} ${path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.path': path,
          'url.scheme': 'http',
          'http.route': path,
        },
      },
      parent,
    );
    const httpContext = trace.setSpan(parent, this.#http);
    this.#operation = tracing.tracer.startSpan('GraphQL Operation', { kind: SpanKind.SERVER }, httpContext);
    this.traceContext = trace.setSpan(httpContext, this.#operation);
  }

  /**
   * An upstream call's attempt as the gateway's client starts it: its CLIENT span, and the
   * request's `traceparent` in `request.headers`. `undefined` when tracing is off.
   */
  call(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, route: string): Attempt | undefined {
    if (sdk === undefined || this.traceContext === undefined) return undefined;
    return sdk.startAttempt(
      { tracing: sdk.tracing },
      { method, url, route, call: { authorization: undefined, correlationId: '', trace: this } },
      0,
    );
  }

  /** The operation answered: `type` is its operation type, `status` the HTTP status sent. */
  finish(type: string, status: number): void {
    if (this.#operation === undefined || this.#http === undefined) return;
    this.#operation.updateName(type);
    this.#operation.setAttribute('graphql.operation.type', type);
    this.#operation.end();
    this.#http.setAttribute('http.response.status_code', status);
    this.#http.end();
  }
}

/** Sends the spans still queued (SIGTERM). */
export function stopTracing(): Promise<void> {
  return tracing?.shutdown() ?? Promise.resolve();
}
