/**
 * What the upstream client reports of each Partner API attempt: a CLIENT span (when tracing is
 * on) whose W3C `traceparent` the attempt carries, and a measurement for metrics. Knows HTTP and
 * OpenTelemetry's API, not GraphQL and not the SDK: the tracer, the propagator and the metrics
 * sink are handed in (src/telemetry/), so a gateway without tracing pays one `undefined` check.
 *
 * Attributes follow OpenTelemetry's HTTP client conventions (opentelemetry.io/docs/specs/semconv/
 * http/http-spans): the method, `url.template` (never the raw path: it holds ids), the server's
 * address and port (the configured Partner API, which the operator knows anyway), the status,
 * `http.request.resend_count` on retries, and the Partner API's `request-id` response header
 * (docs/partner-api.md §4), which Microsoft support asks for. Never `url.full` (ids, filters),
 * headers we send (the bearer token) or bodies.
 */
import {
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { originAndPath, type Server, serverOf } from '../http/urlParts.ts';
import type { UpstreamRequest } from './httpClient.ts';

/** `url.template` (Development status in semconv 1.45, so copied here rather than imported from `incubating`). */
const ATTR_URL_TEMPLATE = 'url.template';
/** `http.response.header.<key>`: a response header as a string array (semconv). */
const ATTR_REQUEST_ID = 'http.response.header.request-id';

/** The route of a request that names none. */
export const UNKNOWN_ROUTE = 'other';

/** Where a request's upstream spans hang in its trace; `undefined` when the request is not traced. */
export interface TraceParent {
  readonly traceContext: Context | undefined;
}

/** One finished attempt, for metrics. */
export interface AttemptMeasurement {
  readonly method: string;
  /** `url.template`, e.g. `/engagements/referrals/{id}`. */
  readonly route: string;
  /** The answer's status; `undefined` when none arrived (connection refused, timeout…). */
  readonly status: number | undefined;
  /** The `UpstreamError` code of a failed attempt; `undefined` on success. */
  readonly errorType: string | undefined;
  readonly seconds: number;
}

/** Receives the upstream client's measurements (src/telemetry/metrics.ts implements it). */
export interface UpstreamObserver {
  attempt(measurement: AttemptMeasurement): void;
  /** A failed attempt is about to be repeated. */
  retry(method: string, route: string): void;
  /** A failed attempt could have been repeated, but the process-wide retry budget was spent. */
  retryBudgetRefused(method: string, route: string): void;
}

export interface UpstreamTelemetry {
  /** Absent: no spans and no `traceparent` (tracing is off). */
  readonly tracing?: { readonly tracer: Tracer; readonly propagator: TextMapPropagator } | undefined;
  readonly observer?: UpstreamObserver | undefined;
}

const headerSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/** How a failed attempt is reported: an `UpstreamError` fits. */
export interface AttemptError {
  readonly code: string;
  readonly status?: number | undefined;
}

/** One attempt in flight: send `request`, report its answer's headers, then `end` it once. */
export interface Attempt {
  /** The request to send: with `traceparent` (and `tracestate`) when traced. */
  readonly request: UpstreamRequest;
  /** Its `url.template`. */
  readonly route: string;
  /** Response headers arrived (the Partner API's `request-id` is read from them). */
  answered(status: number, headers: Readonly<Record<string, string | string[] | undefined>>): void;
  /** The attempt is over: answered 2xx (no `error`) or failed with this public code. */
  end(error?: AttemptError): void;
}

export function startAttempt(
  telemetry: UpstreamTelemetry,
  req: UpstreamRequest,
  resendCount: number,
): Attempt {
  const startedAt = performance.now();
  const route = req.route ?? UNKNOWN_ROUTE;
  const parent = req.call.trace?.traceContext;
  const tracing = telemetry.tracing;
  let span: Span | undefined;
  let request = req;
  if (tracing !== undefined && parent !== undefined) {
    span = tracing.tracer.startSpan(
      `${req.method} ${route}`,
      { kind: SpanKind.CLIENT, attributes: clientAttributes(req, route, resendCount) },
      parent,
    );
    const headers: Record<string, string> = { ...req.headers };
    tracing.propagator.inject(trace.setSpan(parent, span), headers, headerSetter);
    request = { ...req, headers };
  }
  let status: number | undefined;
  return {
    request,
    route,
    answered(answeredStatus, headers) {
      status = answeredStatus;
      if (span === undefined) return;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, answeredStatus);
      const requestId = headers['request-id'];
      if (typeof requestId === 'string' && requestId.length <= 128)
        span.setAttribute(ATTR_REQUEST_ID, [requestId]);
    },
    end(error) {
      const errorStatus = error?.status ?? status;
      telemetry.observer?.attempt({
        method: req.method,
        route,
        status: errorStatus,
        errorType: error?.code,
        seconds: (performance.now() - startedAt) / 1000,
      });
      if (span === undefined) return;
      if (error !== undefined) {
        if (errorStatus !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, errorStatus);
        // The public code, never the message (it may name what was sent).
        span.setAttribute(ATTR_ERROR_TYPE, error.code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
      }
      span.end();
    },
  };
}

function clientAttributes(req: UpstreamRequest, route: string, resendCount: number) {
  // A canonical origin always names a server: originAndPath gives the parsed one otherwise.
  const server = serverOf(originAndPath(req.url).origin) as Server;
  const attributes: Record<string, string | number> = {
    [ATTR_HTTP_REQUEST_METHOD]: req.method,
    [ATTR_URL_TEMPLATE]: route,
    [ATTR_SERVER_ADDRESS]: server.address,
    [ATTR_SERVER_PORT]: server.port,
  };
  if (resendCount > 0) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = resendCount;
  return attributes;
}
