/**
 * Tracing for the GraphQL floors (graphqlFloor.ts), switched on by OTEL_EXPORTER_OTLP_ENDPOINT as
 * the gateway's is: the spans the gateway makes for one operation, and no other work, so that
 * `apollo-floor+tracing` minus `apollo-floor` is what OpenTelemetry's SDK itself costs for them
 * (issue #14, target 4).
 *
 * Same SDK set-up as the gateway: its own config parser and `createTracing`
 * (src/telemetry/tracing.ts: tracer provider, sampler, batch processor, OTLP protobuf exporter).
 * Same spans and attributes: a SERVER span for the HTTP request continuing the caller's
 * `traceparent`, the GraphQL operation span inside it, and a CLIENT span for every upstream call
 * whose `traceparent` the call carries, each with the attributes src/server/requestTelemetry.ts
 * and src/upstream/upstreamTelemetry.ts give it.
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

/**
 * The gateway's configuration and SDK, loaded only with an OTLP endpoint, as
 * src/server/startGateway.ts loads the SDK: a floor without tracing must not carry their modules
 * in its heap (its RSS is a floor of target 5).
 */
async function startTracing(): Promise<Tracing | undefined> {
  const [{ loadConfig }, { createLogger }, { createTracing }] = await Promise.all([
    import('../../src/config/config.ts'),
    import('../../src/log/logger.ts'),
    import('../../src/telemetry/tracing.ts'),
  ]);
  const config = loadConfig(process.env).tracing;
  return config === undefined ? undefined : createTracing(config, createLogger('warn'), 5000);
}

const tracing = process.env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? undefined : await startTracing();

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** One operation's spans; every method is a no-op when tracing is off. */
export class FloorTrace {
  readonly #http: Span | undefined;
  readonly #operation: Span | undefined;
  /** The parent of upstream spans. */
  readonly #context: Context | undefined;

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
    this.#context = trace.setSpan(httpContext, this.#operation);
  }

  /** Starts an upstream call's span; returns its `traceparent` headers and the function that ends it. */
  call(
    method: string,
    route: string,
    server: { readonly address: string; readonly port: number },
  ): { headers: Record<string, string>; end: (status: number, requestId: unknown) => void } {
    if (tracing === undefined || this.#context === undefined) return { headers: {}, end: () => {} };
    const span = tracing.tracer.startSpan(
      `${method} ${route}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'url.template': route,
          'server.address': server.address,
          'server.port': server.port,
        },
      },
      this.#context,
    );
    const headers: Record<string, string> = {};
    tracing.propagator.inject(trace.setSpan(this.#context, span), headers, {
      set: (carrier, key, value) => {
        carrier[key] = value;
      },
    });
    return {
      headers,
      end(status, requestId) {
        span.setAttribute('http.response.status_code', status);
        if (typeof requestId === 'string') span.setAttribute('http.response.header.request-id', [requestId]);
        span.end();
      },
    };
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
