/**
 * What tracing is configured with, parsed from the standard `OTEL_*` variables by config.ts.
 * Here, in src/config/, and not beside src/telemetry/tracing.ts: the configuration imports
 * nothing of src/telemetry/ (docs/architecture.md), and reading it never loads the OpenTelemetry
 * SDK (a gateway without an OTLP endpoint never loads it).
 */

/** `OTEL_TRACES_SAMPLER` values (opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables). */
export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface TracingConfig {
  /** Where spans are POSTed: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `…_ENDPOINT` + `/v1/traces`. */
  readonly url: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  /** `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS` (an API key, typically). */
  readonly headers: Readonly<Record<string, string>>;
  readonly exportTimeoutMs: number;
  readonly serviceName: string;
  /** `OTEL_RESOURCE_ATTRIBUTES` (`deployment.environment.name`, `service.namespace`…). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: SamplerName;
  /** `OTEL_TRACES_SAMPLER_ARG`: the ratio of the `traceidratio` samplers. */
  readonly samplerRatio: number;
  /** `OTEL_BSP_SCHEDULE_DELAY`: spans are sent in batches at most this far apart. */
  readonly scheduleDelayMs: number;
  /** `TRACE_GRAPHQL_DOCUMENT`: put the operation's document on its span (it may hold literal values). */
  readonly includeDocument: boolean;
}
