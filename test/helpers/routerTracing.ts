/**
 * OpenTelemetry for the test routers (test/helpers/routers.ts), so that each takes part in a trace
 * as a router with tracing on does: it continues the client's W3C trace context or starts a trace,
 * makes its own spans, exports them over OTLP/HTTP (JSON), and sends the subgraph a `traceparent`
 * whose parent is its own span for that subgraph request.
 *
 * Both routers' OpenTelemetry support goes through OpenTelemetry's global API, so this registers
 * globals, once per test file (Jest gives each file its own global object and module registry):
 * - @apollo/gateway's built-in spans (`gateway.request`, `gateway.plan`, `gateway.execute`,
 *   `gateway.fetch` per subgraph request) come from `trace.getTracer('apollo/gateway-js')` and
 *   nest through the active context (`startActiveSpan`);
 * - Hive Gateway's plugin (@graphql-hive/plugin-opentelemetry 1.5.3, `useOpenTelemetry`) takes
 *   `trace.getTracer('gateway')`, the context manager and the propagator from the globals (it reads
 *   its `traces.tracer` option before assigning it, so a tracer given there is ignored: observed in
 *   its `useOpenTelemetry`).
 * Registered here: an AsyncLocalStorage context manager, the W3C Trace Context propagator, and a
 * tracer provider that serves each router's tracer from that router's own SDK provider, so its
 * spans carry its own `service.name`. No module is patched, and the gateway under test reads none
 * of these globals (src/telemetry/tracing.ts builds its own provider and hands its tracer and
 * propagator down), so a gateway running in the same process is not disturbed.
 *
 * They are registered when this module is loaded, which routers.ts does before it loads
 * @apollo/gateway: @apollo/gateway takes its tracer when it loads, from its own copy of
 * @opentelemetry/api (1.9), and only a provider registered by then reaches that tracer. Until
 * `traceRoutersTo` is called, the sampler records nothing, so untraced routers cost no spans.
 */
import {
  context,
  ProxyTracerProvider,
  propagation,
  type TracerProvider as TracerProviderApi,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type ExportResult, ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

type RouterKind = 'apollo' | 'hive';

/** `service.name` of each router's spans. */
export const ROUTER_SERVICE_NAMES: Readonly<Record<RouterKind, string>> = {
  apollo: 'router-apollo-gateway',
  hive: 'router-hive-gateway',
};

/** The instrumentation scope each router asks the global API for (see above). */
const ROUTER_OF_SCOPE: Readonly<Record<string, RouterKind>> = {
  'apollo/gateway-js': 'apollo',
  gateway: 'hive',
};

/** Where spans go now: the OTLP exporter of the receiver the last traced routers were given. */
let target: { readonly url: string; readonly exporter: OTLPTraceExporter } | undefined;

/** One exporter for both providers (a batch carries each span's resource); drops with no target. */
const forwarding: SpanExporter = {
  export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
    if (target === undefined) done({ code: ExportResultCode.SUCCESS });
    else target.exporter.export(spans, done);
  },
  shutdown: async () => undefined,
  forceFlush: async () => target?.exporter.forceFlush(),
};

/** Parent-based always-on (the SDK's default) while tracing is on; nothing is recorded before. */
const parentBased = new ParentBasedSampler({ root: new AlwaysOnSampler() });
const sampler: Sampler = {
  shouldSample: (...args) =>
    target === undefined ? { decision: SamplingDecision.NOT_RECORD } : parentBased.shouldSample(...args),
  toString: () => `RouterSampler{${parentBased.toString()}}`,
};

function routerProvider(serviceName: string): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    sampler,
    spanProcessors: [new BatchSpanProcessor({ exporter: forwarding, scheduledDelayMillis: 20 })],
  });
}

const providers: Readonly<Record<RouterKind, TracerProvider>> = {
  apollo: routerProvider(ROUTER_SERVICE_NAMES.apollo),
  hive: routerProvider(ROUTER_SERVICE_NAMES.hive),
};

const otherScopes = new ProxyTracerProvider(); // no delegate: any other scope gets no-op tracers
const registered =
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()) &&
  propagation.setGlobalPropagator(new W3CTraceContextPropagator()) &&
  trace.setGlobalTracerProvider({
    getTracer(name, version, options) {
      const router = ROUTER_OF_SCOPE[name];
      return router
        ? providers[router].getTracer(name, version, options)
        : otherScopes.getTracer(name, version, options);
    },
  } satisfies TracerProviderApi);
if (!registered) throw new Error('OpenTelemetry globals were already registered in this test file');

/**
 * Turns tracing on for routers started from now on, exporting to `otlpUrl` (a base URL, like
 * `OTEL_EXPORTER_OTLP_ENDPOINT`: spans go to its `/v1/traces`).
 */
export function traceRoutersTo(otlpUrl: string): void {
  const url = `${otlpUrl.replace(/\/$/, '')}/v1/traces`;
  if (target?.url !== url) target = { url, exporter: new OTLPTraceExporter({ url }) };
}

/** Sends the routers' queued spans now (their batch processors would within 20 ms anyway). */
export async function flushRouterSpans(): Promise<void> {
  await Promise.all([providers.apollo.forceFlush(), providers.hive.forceFlush()]);
}
