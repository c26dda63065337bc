/**
 * The gateway's configuration: parsed once from the environment with zod, frozen, and handed to
 * everything else. Every limit is named with its unit. A bad value stops the process at start-up
 * with a one-line reason instead of failing on the first request.
 */
import { z } from 'zod';
import { HOSTED_SANDBOX_ORIGIN } from '../server/cors.ts';
import { DEFAULT_REQUEST_BUDGETS, type RequestBudgetPolicy } from '../server/requestBudgets.ts';
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from '../server/securityRules.ts';
import type { UpstreamPolicy } from '../upstream/httpClient.ts';
import {
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  REQUEST_TIMEOUT_PER_REDIS_COMMAND,
  type RedisSettings,
} from './redisSettings.ts';
import { SAMPLER_NAMES, type TracingConfig } from './tracingConfig.ts';

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().min(1).max(600_000);
const zeroOrMoreMs = z.coerce.number().int().min(0).max(600_000);
const positiveInt = z.coerce.number().int().min(1);

/**
 * OpenTelemetry's variables as its SDK environment-variable spec defines them
 * (opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables,
 * .../protocol/exporter): booleans are `true`/`false` in any case; header and resource-attribute
 * lists are `key=value` pairs separated by commas, values percent-encoded.
 */
const otelBoolean = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(['true', 'false'], { error: 'must be `true` or `false`' }))
  .transform((value) => value === 'true');
const otlpEndpoint = z.url({
  protocol: /^https?$/,
  error: 'must be an http(s) URL such as http://otel-collector:4318',
});
const otlpProtocol = z.enum(['http/protobuf', 'http/json'], {
  error: 'must be `http/protobuf` or `http/json` (no OTLP/gRPC exporter is shipped)',
});
const keyValueList = z.string().transform((list, ctx) => {
  const pairs: Record<string, string> = {};
  for (const item of list.split(',')) {
    if (item.trim() === '') continue;
    const at = item.indexOf('=');
    const key = at > 0 ? item.slice(0, at).trim() : '';
    let value: string | undefined;
    try {
      value = at > 0 ? decodeURIComponent(item.slice(at + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    if (key === '' || value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a list of key=value pairs separated by commas' });
      return z.NEVER;
    }
    pairs[key] = value;
  }
  return pairs;
});

/**
 * A referral desk creates hundreds of referrals a day, not tens of thousands: 10,000 records
 * (about 3 MB) cover a day of keyed creates with room to spare.
 */
const DEFAULT_IDEMPOTENCY_MAX_RECORDS = 10_000;

/**
 * An operation name that may be a metric label value: a GraphQL Name (the GraphQL spec) of at most 64
 * characters (src/telemetry/metrics.ts uses the same rule for names clients send).
 */
export const LABELLED_OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: port.default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PARTNER_API_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be an http(s) URL such as https://api.partner.microsoft.com/v1.0',
    })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  EMULATOR_PORT: port.default(4010),
  PARTNER_API_WRITE_MODE: z.enum(['put', 'patch'], { error: 'must be `put` or `patch`' }).default('put'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REQUEST_TIMEOUT_MS: positiveMs.default(15_000),
  // Defaults depend on NODE_ENV and REQUEST_TIMEOUT_MS: see shutdownTimings() below.
  SHUTDOWN_DELAY_MS: zeroOrMoreMs.optional(),
  SHUTDOWN_DRAIN_TIMEOUT_MS: positiveMs.optional(),
  UPSTREAM_CONNECT_TIMEOUT_MS: positiveMs.default(2_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: positiveMs.default(10_000),
  UPSTREAM_BODY_TIMEOUT_MS: positiveMs.default(10_000),
  UPSTREAM_KEEP_ALIVE_TIMEOUT_MS: positiveMs.default(4_000),
  UPSTREAM_MAX_CONNECTIONS: positiveInt.max(1024).default(128),
  UPSTREAM_MAX_RESPONSE_BYTES: positiveInt.default(16 * 1024 * 1024),
  MAX_REQUEST_BYTES: positiveInt.default(1024 * 1024),
  HTTP_HEADERS_TIMEOUT_MS: positiveMs.default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveMs.default(5_000),
  HTTP_MAX_CONNECTIONS: positiveInt.max(1_000_000).default(DEFAULT_REQUEST_BUDGETS.maxConnections),
  MAX_UPSTREAM_CALLS: positiveInt.max(100_000).default(DEFAULT_REQUEST_BUDGETS.maxUpstreamCalls),
  MAX_RESPONSE_BYTES: positiveInt.min(1024).default(DEFAULT_REQUEST_BUDGETS.maxResponseBytes),
  CURSOR_SECRET: z
    .string()
    .min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)' })
    .optional(),
  MAX_QUERY_DEPTH: positiveInt.max(1000).default(DEFAULT_OPERATION_LIMITS.maxDepth),
  MAX_ALIASES: positiveInt.max(10_000).default(DEFAULT_OPERATION_LIMITS.maxAliases),
  MAX_TOKENS: positiveInt.max(1_000_000).default(DEFAULT_OPERATION_LIMITS.maxTokens),
  MAX_DIRECTIVES: positiveInt.max(10_000).default(DEFAULT_OPERATION_LIMITS.maxDirectives),
  MAX_QUERY_COST: positiveInt.default(DEFAULT_OPERATION_LIMITS.maxCost),
  MAX_ENTITY_REPRESENTATIONS: positiveInt
    .max(100_000)
    .default(DEFAULT_OPERATION_LIMITS.maxEntityRepresentations),
  GRAPHQL_EXECUTOR: z.enum(['jit', 'graphql-js']).default('jit'),
  IDEMPOTENCY_MAX_RECORDS: positiveInt.max(10_000_000).default(DEFAULT_IDEMPOTENCY_MAX_RECORDS),
  MAX_COMPILED_OPERATIONS: positiveInt.max(100_000).default(1000),
  // Shared state (README "Shared state (Redis)"): unset, every store stays in this process.
  REDIS_URL: z
    .url({
      protocol: /^rediss?$/,
      error: 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379',
    })
    .refine((url) => /^rediss?:\/\/[^/?#]+(\/\d*)?$/.test(url), {
      error: 'must be redis[s]://[user:password@]host[:port][/db], e.g. redis://127.0.0.1:6379/0',
    })
    .optional(),
  // No glob characters, so `SCAN MATCH <prefix>*` finds exactly this gateway's keys.
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._:{}-]{1,128}$/, {
      error: 'must be 1 to 128 letters, digits, `.`, `_`, `:`, `{`, `}` or `-` (e.g. `referrals-gateway:`)',
    })
    .default('referrals-gateway:'),
  // Default and bound depend on REQUEST_TIMEOUT_MS: see redisCommandTimeout() below.
  REDIS_COMMAND_TIMEOUT_MS: positiveMs.max(60_000).optional(),
  REDIS_CONNECT_TIMEOUT_MS: positiveMs.max(60_000).default(2_000),
  APQ_TTL_SECONDS: positiveInt.max(7 * 24 * 3600).default(3600),
  METRICS_PORT: port.default(9464),
  METRICS_MAX_OPERATION_NAMES: z.coerce.number().int().min(0).max(1000).default(50),
  METRICS_OPERATION_NAMES: z
    .string()
    .transform((list, ctx) => {
      const names = [...new Set(list.split(',').map((name) => name.trim()))].filter((name) => name !== '');
      if (names.length > 1000 || !names.every((name) => LABELLED_OPERATION_NAME.test(name))) {
        ctx.addIssue({
          code: 'custom',
          message:
            'must be a comma-separated list of at most 1000 GraphQL operation names (64 characters each at most)',
        });
        return z.NEVER;
      }
      return names;
    })
    .optional(),
  OTEL_SDK_DISABLED: otelBoolean.default(false),
  OTEL_TRACES_EXPORTER: z
    .enum(['otlp', 'none'], { error: 'must be `otlp` or `none` (the only trace exporter shipped is OTLP)' })
    .default('otlp'),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpEndpoint.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList.optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList.optional(),
  OTEL_EXPORTER_OTLP_TIMEOUT: positiveMs.optional(),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: positiveMs.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(256).optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList.optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(SAMPLER_NAMES, { error: `must be one of ${SAMPLER_NAMES.join(', ')}` })
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  OTEL_BSP_SCHEDULE_DELAY: positiveMs.default(5_000),
  TRACE_GRAPHQL_DOCUMENT: otelBoolean.default(false),
  CORS_ORIGINS: z
    .string()
    .default(HOSTED_SANDBOX_ORIGIN)
    .transform((list) =>
      list
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    )
    .pipe(
      z.array(
        z.union([z.literal('*'), z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)], {
          error: 'must be a comma-separated list of origins such as https://app.example.com',
        }),
      ),
    ),
});

export interface Config {
  readonly production: boolean;
  readonly port: number;
  readonly host: string;
  /** `undefined` means "start the embedded emulator" (refused in production). */
  readonly partnerApiUrl: string | undefined;
  readonly emulatorPort: number;
  /**
   * How `updateReferral` writes: `put`, the full replacement with If-Match (docs/partner-api.md
   * §3.4), or `patch`, a JSON Patch of the documented patchable paths with a PUT for any other
   * change (§3.5).
   */
  readonly writeMode: 'put' | 'patch';
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Deadline of one GraphQL request, upstream calls included. */
  readonly requestTimeoutMs: number;
  /**
   * What SIGTERM does (src/server/shutdown.ts): `/ready` answers 503 at once and the server keeps
   * serving for `delayMs`, so load balancers stop sending; then it stops accepting connections
   * and waits up to `drainTimeoutMs` for the requests in flight.
   */
  readonly shutdown: { readonly delayMs: number; readonly drainTimeoutMs: number };
  /** Largest accepted GraphQL request body; larger ones get 413. */
  readonly maxRequestBytes: number;
  /** How long and how many clients may hold the HTTP server (slow clients are cut off). */
  readonly http: {
    readonly headersTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly maxConnections: number;
  };
  /** What one request may spend: Partner API calls, answer bytes. */
  readonly budgets: Pick<RequestBudgetPolicy, 'maxUpstreamCalls' | 'maxResponseBytes'>;
  /**
   * The key cursors are signed with; `undefined` means a random key per process (a cursor then
   * only continues on the replica that issued it).
   */
  readonly cursorSecret: string | undefined;
  /** Browser origins allowed to read answers (CORS); `*` allows any. */
  readonly corsOrigins: readonly string[];
  /** What one GraphQL document may ask for (depth, aliases, tokens, directives, cost). */
  readonly operationLimits: OperationLimits;
  /**
   * How operations run: `jit` compiles each operation once (graphql-jit, see jitExecutor.ts);
   * `graphql-js` interprets it per request (the reference implementation, kept as a fallback).
   */
  readonly executor: { readonly kind: 'jit' | 'graphql-js'; readonly maxCompiledOperations: number };
  readonly upstream: UpstreamPolicy;
  /**
   * createReferral's idempotency records held in memory at most (each about 0.3 KB; kept 24
   * hours; finished ones beyond this are dropped oldest first).
   */
  readonly idempotencyMaxRecords: number;
  /**
   * Where the cross-request stores live (the APQ cache, createReferral's idempotency records):
   * `undefined` (no `REDIS_URL`) keeps them in this process; otherwise every replica shares them
   * on Redis, APQ entries living `apqTtlSeconds`.
   */
  readonly sharedState: { readonly redis: RedisSettings; readonly apqTtlSeconds: number } | undefined;
  /**
   * Prometheus metrics on their own port (`GET /metrics`; `0` picks a free one). Operation names
   * become a label only as `operationNames` lists them when set (`METRICS_OPERATION_NAMES`), else
   * for the first `maxOperationNames` distinct names of requests that carried a bearer token and
   * were executed (the rest are `other`), so clients cannot grow or fill the label set.
   */
  readonly metrics: {
    readonly port: number;
    readonly maxOperationNames: number;
    readonly operationNames?: readonly string[] | undefined;
  };
  /** OpenTelemetry tracing; `undefined` (no OTLP endpoint, or switched off): no spans at all. */
  readonly tracing: TracingConfig | undefined;
}

/** Every environment variable the gateway reads (deploy manifests are checked against it). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.freeze(Object.keys(envSchema.shape));

/**
 * Production waits 5 s before it stops accepting (long enough for Kubernetes' endpoint removal
 * and a balancer's health checks to take the replica out); anywhere else `npm start` stops at
 * once. The drain lasts at most the request deadline plus 1 s: a request accepted just before
 * the listener closed is answered by its own deadline, and the second covers writing that answer.
 */
function shutdownTimings(
  e: z.infer<typeof envSchema>,
  production: boolean,
): { readonly delayMs: number; readonly drainTimeoutMs: number } {
  return Object.freeze({
    delayMs: e.SHUTDOWN_DELAY_MS ?? (production ? 5_000 : 0),
    drainTimeoutMs: e.SHUTDOWN_DRAIN_TIMEOUT_MS ?? e.REQUEST_TIMEOUT_MS + 1_000,
  });
}

/** Tracing is on when an OTLP endpoint is set and neither the SDK nor the trace exporter is switched off. */
function tracingConfig(e: z.infer<typeof envSchema>): TracingConfig | undefined {
  if (e.OTEL_SDK_DISABLED || e.OTEL_TRACES_EXPORTER === 'none') return undefined;
  let url = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  // The spec: the signal-specific endpoint is used as it is; the general one gets `v1/traces`.
  if (url === undefined && e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined) {
    const base = e.OTEL_EXPORTER_OTLP_ENDPOINT;
    url = `${base}${base.endsWith('/') ? '' : '/'}v1/traces`;
  }
  if (url === undefined) return undefined;
  const resourceAttributes = e.OTEL_RESOURCE_ATTRIBUTES ?? {};
  return Object.freeze({
    url,
    protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    headers: Object.freeze({ ...e.OTEL_EXPORTER_OTLP_HEADERS, ...e.OTEL_EXPORTER_OTLP_TRACES_HEADERS }),
    exportTimeoutMs: e.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? e.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10_000,
    serviceName: e.OTEL_SERVICE_NAME ?? resourceAttributes['service.name'] ?? 'referrals-gateway',
    resourceAttributes: Object.freeze({ ...resourceAttributes }),
    sampler: e.OTEL_TRACES_SAMPLER,
    samplerRatio: e.OTEL_TRACES_SAMPLER_ARG,
    scheduleDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
    includeDocument: e.TRACE_GRAPHQL_DOCUMENT,
  });
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Two servers of one process on one port: the second would fail at listen with EADDRINUSE after
 * the first had bound it, naming neither variable. Refused here instead, in one line. `0` (a free
 * port picked at listen) may repeat; the embedded emulator (no PARTNER_API_URL) counts too.
 */
function portClash(e: z.infer<typeof envSchema>): string | undefined {
  const ports: [string, number][] = [
    ['PORT', e.PORT],
    ['METRICS_PORT', e.METRICS_PORT],
    ...(e.PARTNER_API_URL === undefined ? [['EMULATOR_PORT', e.EMULATOR_PORT] as [string, number]] : []),
  ];
  for (const [i, [name, value]] of ports.entries()) {
    const first = ports.slice(0, i).find(([, other]) => other === value && value !== 0);
    if (first !== undefined) {
      return `Invalid ${name}: ${value} is also ${first[0]}; each server needs a port of its own (0 picks a free one)`;
    }
  }
  return undefined;
}

/**
 * `REDIS_COMMAND_TIMEOUT_MS`, at most a quarter of the request deadline (redisSettings.ts says
 * why); unset, 300 ms or that quarter, whichever is less. Checked only with `REDIS_URL`: without
 * it nothing waits on Redis.
 */
function redisCommandTimeout(e: z.infer<typeof envSchema>): number | string {
  const most = Math.floor(e.REQUEST_TIMEOUT_MS / REQUEST_TIMEOUT_PER_REDIS_COMMAND);
  const asked = e.REDIS_COMMAND_TIMEOUT_MS;
  if (asked === undefined) return Math.max(1, Math.min(DEFAULT_REDIS_COMMAND_TIMEOUT_MS, most));
  if (e.REDIS_URL !== undefined && asked > most) {
    return `Invalid REDIS_COMMAND_TIMEOUT_MS: ${asked} is more than a quarter of REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS}); a keyed create waits on Redis twice and needs the rest for the Partner API`;
  }
  return asked;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An empty variable means "unset", as shells and .env files commonly write it.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `Invalid ${issue?.path.join('.') ?? 'configuration'}: ${issue?.message ?? 'invalid value'}`,
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && e.PARTNER_API_URL === undefined) {
    throw new ConfigError(
      'PARTNER_API_URL is required when NODE_ENV=production (the emulator is for development only)',
    );
  }
  const clash = portClash(e);
  if (clash !== undefined) throw new ConfigError(clash);
  const redisCommandTimeoutMs = redisCommandTimeout(e);
  if (typeof redisCommandTimeoutMs === 'string') throw new ConfigError(redisCommandTimeoutMs);
  return Object.freeze({
    production,
    port: e.PORT,
    host: e.HOST,
    partnerApiUrl: e.PARTNER_API_URL,
    emulatorPort: e.EMULATOR_PORT,
    writeMode: e.PARTNER_API_WRITE_MODE,
    logLevel: e.LOG_LEVEL,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdown: shutdownTimings(e, production),
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    http: Object.freeze({
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    }),
    budgets: Object.freeze({
      maxUpstreamCalls: e.MAX_UPSTREAM_CALLS,
      maxResponseBytes: e.MAX_RESPONSE_BYTES,
    }),
    cursorSecret: e.CURSOR_SECRET,
    corsOrigins: Object.freeze([...e.CORS_ORIGINS]),
    operationLimits: Object.freeze({
      maxDepth: e.MAX_QUERY_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxDirectives: e.MAX_DIRECTIVES,
      maxCost: e.MAX_QUERY_COST,
      maxEntityRepresentations: e.MAX_ENTITY_REPRESENTATIONS,
    }),
    executor: Object.freeze({ kind: e.GRAPHQL_EXECUTOR, maxCompiledOperations: e.MAX_COMPILED_OPERATIONS }),
    idempotencyMaxRecords: e.IDEMPOTENCY_MAX_RECORDS,
    sharedState:
      e.REDIS_URL === undefined
        ? undefined
        : Object.freeze({
            redis: Object.freeze({
              url: e.REDIS_URL,
              keyPrefix: e.REDIS_KEY_PREFIX,
              commandTimeoutMs: redisCommandTimeoutMs,
              connectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS,
            }),
            apqTtlSeconds: e.APQ_TTL_SECONDS,
          }),
    metrics: Object.freeze({
      port: e.METRICS_PORT,
      maxOperationNames: e.METRICS_MAX_OPERATION_NAMES,
      operationNames:
        e.METRICS_OPERATION_NAMES === undefined ? undefined : Object.freeze([...e.METRICS_OPERATION_NAMES]),
    }),
    tracing: tracingConfig(e),
    upstream: Object.freeze({
      connectTimeoutMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.UPSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.UPSTREAM_BODY_TIMEOUT_MS,
      keepAliveTimeoutMs: e.UPSTREAM_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.UPSTREAM_MAX_CONNECTIONS,
      maxResponseBytes: e.UPSTREAM_MAX_RESPONSE_BYTES,
    }),
  });
}
