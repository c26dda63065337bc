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

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().min(1).max(600_000);
const positiveInt = z.coerce.number().int().min(1);

/**
 * A referral desk creates hundreds of referrals a day, not tens of thousands: 10,000 records
 * (about 3 MB) cover a day of keyed creates with room to spare.
 */
const DEFAULT_IDEMPOTENCY_MAX_RECORDS = 10_000;

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
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
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
  return Object.freeze({
    production,
    port: e.PORT,
    host: e.HOST,
    partnerApiUrl: e.PARTNER_API_URL,
    emulatorPort: e.EMULATOR_PORT,
    writeMode: e.PARTNER_API_WRITE_MODE,
    logLevel: e.LOG_LEVEL,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
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
