/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway so that tests can run
 * several in one process, plus one registry per process for what is process-wide (CPU, memory,
 * event-loop delay, GC: prom-client's default metrics), scraped together.
 *
 * Names follow OpenTelemetry's HTTP metric conventions as Prometheus spells them
 * (opentelemetry.io/docs/specs/semconv/http/http-metrics: `http.server.request.duration` in
 * seconds → `http_server_request_duration_seconds`, with the advised buckets), and
 * `referrals_gateway_*` for the gateway's own counters (prometheus.io/docs/practices/naming).
 * Every label has a bounded set of values: codes, route templates, schema names, and operation
 * names only through `OperationNames` (an operator's allow-list, or the first N distinct names of
 * requests that carried a bearer token and were executed; the rest `other`). Never an id.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { LABELLED_OPERATION_NAME } from '../config/config.ts';
import type { AttemptMeasurement, UpstreamObserver } from '../upstream/upstreamTelemetry.ts';
import { LabelledHistogram } from './labelledHistogram.ts';

/** OpenTelemetry's advised buckets for HTTP durations, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The label value of operation names past the allow-list, and of names that are not GraphQL names. */
export const OTHER_OPERATION = 'other';
/** The label value of an operation without a name (`{ referrals { … } }`). */
export const ANONYMOUS_OPERATION = 'anonymous';

/**
 * Operation names as a label. Clients choose them, so which names become label values is decided
 * here, never by whoever asks first:
 *
 * - with an operator's allow-list (`METRICS_OPERATION_NAMES`), exactly those names, every other
 *   one `other`;
 * - otherwise the first `limit` distinct names *admitted*, every later one `other`. A name is
 *   admitted only by a request that carried a well-formed bearer token and was executed without
 *   a request-level refusal (parse, validation, authentication, a limit): the caller decides that
 *   (telemetryPlugin.ts). So a client without a token, or one sending documents the gateway
 *   refuses, cannot fill the set (`query X1 { __typename }` needs no token: otherwise 50 such
 *   requests right after start would label every real operation `other` for good). A made-up
 *   token still passes the shape check (only the Partner API can tell it is not real): the
 *   allow-list is the way to a set no client can touch.
 *
 * First come, not least recently used: a label value that changes meaning would make its series
 * lie, and a client sending 1,000 made-up names then costs at most `limit` series, once.
 */
export class OperationNames {
  readonly #limit: number;
  readonly #allowed: ReadonlySet<string> | undefined;
  readonly #kept = new Set<string>();

  constructor(limit: number, allowList?: readonly string[]) {
    this.#limit = limit;
    this.#allowed = allowList === undefined ? undefined : new Set(allowList);
  }

  /** `admit`: may this request give a name not yet kept one of the free places? */
  label(name: string | null | undefined, admit: boolean): string {
    if (name === null || name === undefined || name === '') return ANONYMOUS_OPERATION;
    if (this.#allowed !== undefined) return this.#allowed.has(name) ? name : OTHER_OPERATION;
    // GraphQL names have no length limit of their own: a longer one is never a label value.
    if (!LABELLED_OPERATION_NAME.test(name)) return OTHER_OPERATION;
    if (this.#kept.has(name)) return name;
    if (!admit || this.#kept.size >= this.#limit) return OTHER_OPERATION;
    this.#kept.add(name);
    return name;
  }
}

/** Labels of one answered GraphQL HTTP request. */
export interface ServerRequestLabels {
  readonly method: string;
  readonly status: number;
  /** `query`, `mutation`, `subscription`, or `unknown` (not parsed, or no operation matched). */
  readonly operationType: string;
  /** From `OperationNames.label`. */
  readonly operationName: string;
  /** `success`, or the public `extensions.code` of the answer's first error (src/errors/codes.ts). */
  readonly outcome: string;
}

/** What APQ did for a request that carried `extensions.persistedQuery`. */
export type ApqResult = 'hit' | 'miss' | 'registered';

export class GatewayMetrics implements UpstreamObserver {
  readonly registry = new Registry();
  readonly operationNames: OperationNames;
  // Observed on every request and upstream attempt: labelledHistogram.ts says why not prom-client's.
  readonly #serverDuration: LabelledHistogram;
  readonly #activeRequests: Gauge<string>;
  readonly #clientDuration: LabelledHistogram;
  readonly #retries: Counter<string>;
  readonly #retryBudgetRefusals: Counter<string>;
  readonly #mutationResults: Counter<string>;
  readonly #conflicts: Counter<string>;
  readonly #limitRefusals: Counter<string>;
  readonly #apq: Counter<string>;

  constructor(options: {
    readonly maxOperationNames: number;
    /** `METRICS_OPERATION_NAMES`: when given, the only operation names used as a label. */
    readonly operationNames?: readonly string[] | undefined;
  }) {
    const registers = [this.registry];
    this.operationNames = new OperationNames(options.maxOperationNames, options.operationNames);
    this.#serverDuration = new LabelledHistogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of GraphQL HTTP requests (/graphql), from the first byte to the answer.',
      labelNames: [
        'http_request_method',
        'http_response_status_code',
        'graphql_operation_type',
        'graphql_operation_name',
        'outcome',
      ],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#activeRequests = new Gauge({
      name: 'http_server_active_requests',
      help: 'GraphQL HTTP requests in flight.',
      registers,
    });
    this.#clientDuration = new LabelledHistogram({
      name: 'http_client_request_duration_seconds',
      help: 'Duration of each Partner API attempt (a retry is another attempt), until its body was read.',
      labelNames: ['http_request_method', 'url_template', 'http_response_status_code', 'error_type'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#retries = new Counter({
      name: 'referrals_gateway_upstream_retries_total',
      help: 'Partner API attempts repeated after a retryable failure.',
      labelNames: ['http_request_method', 'url_template'],
      registers,
    });
    this.#retryBudgetRefusals = new Counter({
      name: 'referrals_gateway_upstream_retry_budget_refusals_total',
      help: 'Retryable Partner API failures not retried because the retry budget was spent.',
      labelNames: ['http_request_method', 'url_template'],
      registers,
    });
    this.#mutationResults = new Counter({
      name: 'referrals_gateway_mutation_results_total',
      help: 'Mutation answers by mutation and result union member (a top-level error is not counted here).',
      labelNames: ['mutation', 'result'],
      registers,
    });
    this.#conflicts = new Counter({
      name: 'referrals_gateway_write_conflicts_total',
      help: 'Writes refused as stale (ReferralPreconditionFailed): an old etag, or a 412/409 from the Partner API.',
      labelNames: ['mutation'],
      registers,
    });
    this.#limitRefusals = new Counter({
      name: 'referrals_gateway_limit_refusals_total',
      help: 'Requests refused or cut by a limit (README "Operation limits"), once per request and limit.',
      labelNames: ['limit'],
      registers,
    });
    this.#apq = new Counter({
      name: 'referrals_gateway_apq_requests_total',
      help: 'Automatic persisted query lookups: hit, miss (PERSISTED_QUERY_NOT_FOUND), registered (hash and query sent).',
      labelNames: ['result'],
      registers,
    });
  }

  requestStarted(): void {
    this.#activeRequests.inc();
  }

  requestFinished(labels: ServerRequestLabels, seconds: number): void {
    this.#activeRequests.dec();
    this.#serverDuration.observe(
      [labels.method, labels.status, labels.operationType, labels.operationName, labels.outcome],
      seconds,
    );
  }

  attempt(measurement: AttemptMeasurement): void {
    this.#clientDuration.observe(
      [measurement.method, measurement.route, measurement.status ?? '', measurement.errorType ?? ''],
      measurement.seconds,
    );
  }

  retry(method: string, route: string): void {
    this.#retries.inc({ http_request_method: method, url_template: route });
  }

  retryBudgetRefused(method: string, route: string): void {
    this.#retryBudgetRefusals.inc({ http_request_method: method, url_template: route });
  }

  mutationResult(mutation: string, result: string): void {
    this.#mutationResults.inc({ mutation, result });
    if (result === 'ReferralPreconditionFailed') this.#conflicts.inc({ mutation });
  }

  limitRefused(limit: string): void {
    this.#limitRefusals.inc({ limit });
  }

  apq(result: ApqResult): void {
    this.#apq.inc({ result });
  }

  /** The text a scrape gets: this gateway's metrics, then the process's. */
  async scrape(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processRegistry().metrics()]);
    return `${own}${process}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

let processMetrics: Registry | undefined;

/**
 * prom-client's default metrics (`process_*`, `nodejs_*`, among them `nodejs_eventloop_lag_*`
 * from `monitorEventLoopDelay`) describe the process, so they are collected once per process,
 * whatever the number of gateways in it: each collection adds a GC observer and an event-loop
 * monitor that live as long as the process.
 */
function processRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
