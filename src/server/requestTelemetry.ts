/**
 * What one GraphQL HTTP request reports: its SERVER span (continuing the caller's W3C
 * `traceparent`), the GraphQL operation span inside it (OpenTelemetry's GraphQL conventions,
 * opened here because graphql-jit never calls graphql-js's `execute`, which instrumentations
 * hook), the parent its upstream calls hang under, and its metrics when it ends. The HTTP handler
 * starts and finishes it; the telemetry plugin (telemetryPlugin.ts) fills in the operation.
 *
 * Spans carry codes, route templates and schema names; never a header, a variable, a body, or
 * the document unless `TRACE_GRAPHQL_DOCUMENT` asks for it.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { RequestObserver } from '../graphql/context.ts';
import type { GatewayMetrics } from '../telemetry/metrics.ts';
import type { Tracing } from '../telemetry/tracing.ts';

/** GraphQL span attributes (semconv `graphql.*`, Development status: copied, not imported from `incubating`). */
const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';
const ATTR_GRAPHQL_DOCUMENT = 'graphql.document';
/** Every distinct public error code of the answer (the semconv has no attribute for these). */
const ATTR_ERROR_CODES = 'referrals.graphql.error.codes';

/** Operation names are client-chosen: a span keeps at most this much of one. */
const MAX_SPAN_NAME_LENGTH = 128;
/** `graphql.document`, when asked for, is cut here: the request body limit is far larger. */
const MAX_DOCUMENT_LENGTH = 10_000;

/** What a gateway measures with: metrics always, tracing when configured. */
export interface ServerTelemetry {
  readonly metrics: GatewayMetrics;
  readonly tracing: Tracing | undefined;
}

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

export class RequestTelemetry implements RequestObserver {
  /** The parent of upstream spans: the operation span once it is open, the request's before. */
  traceContext: Context | undefined;
  readonly traceId: string | undefined;
  readonly #telemetry: ServerTelemetry;
  readonly #method: string;
  readonly #startedAt = performance.now();
  readonly #httpSpan: Span | undefined;
  readonly #httpContext: Context | undefined;
  #operationSpan: Span | undefined;
  #operationType = 'unknown';
  #operationName = '';
  #outcome: string | undefined;
  readonly #limits = new Set<string>();
  #finished = false;

  constructor(telemetry: ServerTelemetry, req: IncomingMessage, path: string) {
    this.#telemetry = telemetry;
    this.#method = req.method ?? 'GET';
    telemetry.metrics.requestStarted();
    const tracing = telemetry.tracing;
    if (tracing === undefined) {
      this.traceId = undefined;
      return;
    }
    const parent = tracing.propagator.extract(ROOT_CONTEXT, req.headers, headerGetter);
    this.#httpSpan = tracing.tracer.startSpan(
      `${this.#method} ${path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: this.#method,
          [ATTR_URL_PATH]: path,
          [ATTR_URL_SCHEME]: 'http',
          [ATTR_HTTP_ROUTE]: path,
        },
      },
      parent,
    );
    this.#httpContext = trace.setSpan(parent, this.#httpSpan);
    this.traceContext = this.#httpContext;
    this.traceId = this.#httpSpan.spanContext().traceId;
  }

  /** Apollo starts on the request: the operation span opens, upstream spans go under it. */
  operationStarted(): void {
    const tracing = this.#telemetry.tracing;
    if (tracing === undefined || this.#httpContext === undefined || this.#operationSpan !== undefined) return;
    // Named by its type once it is known (semconv: `{graphql.operation.type}`, else this).
    this.#operationSpan = tracing.tracer.startSpan(
      'GraphQL Operation',
      { kind: SpanKind.SERVER },
      this.#httpContext,
    );
    this.traceContext = trace.setSpan(this.#httpContext, this.#operationSpan);
  }

  /**
   * Apollo answers: what the operation was (`type` undefined when none was resolved) and the
   * public codes of the answer's errors, in order.
   */
  operationFinished(
    operation: {
      readonly type: string | undefined;
      readonly name: string | undefined;
      readonly document: string | undefined;
      /** May the name take a free place in the label set (telemetryPlugin.ts `admitsOperationName`)? */
      readonly admitName: boolean;
    },
    errorCodes: readonly string[],
  ): void {
    if (operation.type !== undefined) {
      this.#operationType = operation.type;
      this.#operationName = this.#telemetry.metrics.operationNames.label(operation.name, operation.admitName);
    }
    this.#outcome = errorCodes[0] ?? 'success';
    const span = this.#operationSpan;
    if (span === undefined) return;
    if (operation.type !== undefined) {
      span.updateName(operation.type);
      span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, operation.type);
    }
    if (operation.name)
      span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, operation.name.slice(0, MAX_SPAN_NAME_LENGTH));
    if (operation.document !== undefined && this.#telemetry.tracing?.includeDocument) {
      span.setAttribute(ATTR_GRAPHQL_DOCUMENT, operation.document.slice(0, MAX_DOCUMENT_LENGTH));
    }
    const first = errorCodes[0];
    if (first !== undefined) {
      span.setAttribute(ATTR_ERROR_TYPE, first);
      span.setAttribute(ATTR_ERROR_CODES, [...new Set(errorCodes)]);
      span.setStatus({ code: SpanStatusCode.ERROR, message: first });
    }
    span.end();
    this.#operationSpan = undefined;
    this.traceContext = this.#httpContext;
  }

  /** A limit refused or cut the request (counted once per request and limit). */
  limitRefused(limit: string): void {
    this.#limits.add(limit);
  }

  mutationResult(mutation: string, result: string): void {
    this.#telemetry.metrics.mutationResult(mutation, result);
  }

  /**
   * The answer is written (or never will be: the client went away before it). Answers written
   * before Apollo ran carry no outcome of their own: they are told by their status, as only the
   * body limit answers 413 and only the body deadline 408 (httpHandler.ts).
   */
  finish(statusCode: number, answered: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    // Nobody answered: nginx's 499 ("client closed request") is the status logs and dashboards know.
    const status = answered ? statusCode : 499;
    if (status === 413) this.#limits.add('request_bytes');
    if (status === 408) this.#limits.add('request_body_timeout');
    const outcome = this.#outcome ?? outcomeOfStatus(status);
    const metrics = this.#telemetry.metrics;
    for (const limit of this.#limits) metrics.limitRefused(limit);
    metrics.requestFinished(
      {
        method: this.#method,
        status,
        operationType: this.#operationType,
        operationName: this.#operationName,
        outcome,
      },
      (performance.now() - this.#startedAt) / 1000,
    );
    // Apollo failed inside its pipeline without answering through the plugin hooks.
    this.#operationSpan?.end();
    const span = this.#httpSpan;
    if (span === undefined) return;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // HTTP server conventions: only a 5xx makes the server span an error.
    if (status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }
}

function outcomeOfStatus(status: number): string {
  if (status < 400) return 'success';
  if (status === 499) return 'client_closed';
  if (status === 408) return 'REQUEST_TIMEOUT';
  if (status >= 500) return 'INTERNAL_SERVER_ERROR';
  return 'BAD_REQUEST';
}
