/**
 * OpenTelemetry tracing for one gateway: its own tracer provider, sampler, OTLP/HTTP exporter and
 * batch processor, built from the standard `OTEL_*` variables that config.ts parsed. Nothing is
 * registered globally (no global tracer provider, context manager or propagator): tests start
 * traced and untraced gateways in one process, and each hands its tracer down explicitly (the
 * HTTP handler, the Apollo plugin, the upstream client). Without an OTLP endpoint none of this is
 * built and no span is made.
 *
 * Propagation is W3C Trace Context only (`traceparent`, `tracestate`): that is what routers send
 * (Apollo Router's `trace_context`, Hive Gateway's default) and what we send the Partner API.
 * Baggage is neither read nor forwarded: it is free-form and would reach Microsoft.
 */
import { readFileSync } from 'node:fs';
import type { TextMapPropagator, Tracer } from '@opentelemetry/api';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { SamplerName, TracingConfig } from '../config/tracingConfig.ts';
import type { Logger } from '../log/logger.ts';

/** What the rest of the gateway sees of tracing. */
export interface Tracing {
  readonly tracer: Tracer;
  readonly propagator: TextMapPropagator;
  readonly includeDocument: boolean;
  /**
   * Sends the spans still queued, then stops exporting; gives up after the exporter's timeout or
   * the cap `createTracing` was given, whichever is shorter, so a collector that does not answer
   * cannot hold the process past its shutdown budget.
   */
  shutdown(): Promise<void>;
}

/** `service.version`: the package's version, read once. */
const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * `flushCapMs`: the longest the last flush may take within the shutdown budget (the exporter's
 * own timeout, with its retries, may be longer, and a flush may need several exports).
 */
export function createTracing(config: TracingConfig, logger: Logger, flushCapMs: number): Tracing {
  const flushTimeoutMs = Math.min(config.exportTimeoutMs, flushCapMs);
  const exporterOptions = {
    url: config.url,
    headers: { ...config.headers },
    timeoutMillis: config.exportTimeoutMs,
  };
  const exporter = reportingFailures(
    config.protocol === 'http/json'
      ? new OtlpJsonExporter(exporterOptions)
      : new OtlpProtobufExporter(exporterOptions),
    logger,
  );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...config.resourceAttributes,
      [ATTR_SERVICE_NAME]: config.serviceName,
      [ATTR_SERVICE_VERSION]: SERVICE_VERSION,
    }),
    sampler: createSampler(config.sampler, config.samplerRatio),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: config.scheduleDelayMs })],
  });
  return {
    tracer: provider.getTracer('referrals-gateway', SERVICE_VERSION),
    propagator: new W3CTraceContextPropagator(),
    includeDocument: config.includeDocument,
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'gave up'>((resolve) => {
        timer = setTimeout(() => resolve('gave up'), flushTimeoutMs);
      });
      const outcome = await Promise.race([provider.shutdown().then(() => 'flushed' as const), gaveUp]);
      clearTimeout(timer);
      if (outcome === 'gave up') {
        logger.warn(
          { waitedMs: flushTimeoutMs },
          'stopping without the spans the OTLP endpoint did not take',
        );
      }
    },
  };
}

function createSampler(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/** How often a failing collector is logged: once a minute is enough to notice, not to flood. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * The exporter reports failures to OpenTelemetry's global diag logger, which is silent unless a
 * process registers one; this says it in our log (the reason's message only: it names the
 * collector, never a span), at most once a minute per gateway.
 */
function reportingFailures(exporter: SpanExporter, logger: Logger): SpanExporter {
  let loggedAt = Number.NEGATIVE_INFINITY;
  return {
    export(spans: ReadableSpan[], done) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS && Date.now() - loggedAt >= FAILURE_LOG_INTERVAL_MS) {
          loggedAt = Date.now();
          logger.warn(
            { spans: spans.length, reason: result.error?.message },
            'could not export spans to the OTLP endpoint; dropping them',
          );
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
