/**
 * When an upstream call may be tried again, as typed data (the retry matrix of the reliability
 * notes): only reads, only on failures that say nothing about the resource (a refused or reset
 * connection, a gateway/proxy 502/503/504, throttling 429), with full-jitter exponential
 * backoff, `Retry-After` honoured only when it fits the caller's deadline (RFC 9110 §10.2.3),
 * and a process-wide retry budget so retries cannot multiply an outage into a storm.
 *
 * Writes are never retried blindly: a PUT is repeated only when its connection was never
 * established (nothing can have reached the Partner API); any other doubt is settled by
 * re-reading (see domain/referral/reconcile.ts).
 */
import type { HttpMethod } from './httpClient.ts';
import type { UpstreamError, UpstreamErrorCode } from './upstreamErrors.ts';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** Backoff before retry n (0-based) is uniform in [0, min(maxDelayMs, baseDelayMs·2ⁿ)]. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Statuses that may be retried on reads. */
  readonly retryableStatuses: readonly number[];
  /** Transport failures that may be retried on reads. */
  readonly retryableTransportCodes: readonly string[];
  /** Transport failures that prove the request never left: writes may retry these. */
  readonly notSentTransportCodes: readonly string[];
  /** A retry must leave at least this much of the deadline for the attempt itself. */
  readonly minAttemptMs: number;
  /**
   * The longest `Retry-After` worth waiting for inside one GraphQL request; a longer one fails
   * fast with RATE_LIMITED and `retryAfterSeconds`, so the client decides, not a held socket.
   */
  readonly maxRetryAfterMs: number;
  /** Retries may be at most `ratio` of requests in `windowMs`, plus `minPerSecond`. */
  readonly budget: { readonly ratio: number; readonly minPerSecond: number; readonly windowMs: number };
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  retryableStatuses: [429, 502, 503, 504],
  retryableTransportCodes: [
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_CLOSED',
  ],
  notSentTransportCodes: ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT'],
  minAttemptMs: 250,
  maxRetryAfterMs: 2_000,
  budget: { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 },
};

/**
 * Failures that say nothing about what the Partner API did with the request: no answer in time,
 * a 5xx or a dropped connection, an answer that could not be read. Every other code is an answer
 * (a 4xx: nothing was applied) or was decided before anything was sent.
 */
const UNCERTAIN_CODES: ReadonlySet<UpstreamErrorCode> = new Set([
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_BAD_RESPONSE',
]);

/** The failure proves the request never left: its connection was never made. */
export function provablyNotSent(error: UpstreamError, policy: RetryPolicy = DEFAULT_RETRY_POLICY): boolean {
  return error.transportCode !== undefined && policy.notSentTransportCodes.includes(error.transportCode);
}

/** A failure that tells nothing of the call's effect (see `UNCERTAIN_CODES`). */
export function isUncertainFailure(error: UpstreamError): boolean {
  return UNCERTAIN_CODES.has(error.code);
}

/**
 * The one answer to "may this write have landed?": after such a failure a PUT, PATCH or POST may
 * or may not have been applied, so it is settled by reading, never sent again
 * (services/settleWrite.ts). A refusal (4xx), a certain failure (401, 403, 429, budget) and a
 * request that provably never left may not have.
 */
export function mayHaveApplied(error: UpstreamError): boolean {
  return isUncertainFailure(error) && !provablyNotSent(error);
}

/** What one failed attempt looked like. */
export interface AttemptFailure {
  readonly method: HttpMethod;
  readonly status?: number | undefined;
  readonly transportCode?: string | undefined;
  readonly retryAfterSeconds?: number | undefined;
}

/**
 * Milliseconds to wait before retry number `retry` (0-based), or `undefined` when this failure
 * must not be retried. `remainingMs` is what is left of the caller's deadline.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  failure: AttemptFailure,
  retry: number,
  remainingMs: number,
  random: () => number = Math.random,
): number | undefined {
  if (retry >= policy.maxRetries) return undefined;
  const isRead = failure.method === 'GET';
  const transport = failure.transportCode;
  const retryable = isRead
    ? (failure.status !== undefined && policy.retryableStatuses.includes(failure.status)) ||
      (transport !== undefined && policy.retryableTransportCodes.includes(transport))
    : transport !== undefined && policy.notSentTransportCodes.includes(transport);
  if (!retryable) return undefined;
  const retryAfterMs = failure.retryAfterSeconds === undefined ? undefined : failure.retryAfterSeconds * 1000;
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) return undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const backoff = Math.floor(random() * ceiling);
  const wait = retryAfterMs === undefined ? backoff : Math.max(backoff, retryAfterMs);
  return wait + policy.minAttemptMs <= remainingMs ? wait : undefined;
}

/**
 * Counts requests and retries in a window of one-second buckets (constant memory, whatever the
 * request rate); a retry is allowed while retries stay within `ratio` of requests plus
 * `minPerSecond` per second of window.
 */
export class RetryBudget {
  readonly #policy: RetryPolicy['budget'];
  readonly #now: () => number;
  readonly #buckets: { second: number; requests: number; retries: number }[];

  constructor(policy: RetryPolicy['budget'], now: () => number = Date.now) {
    this.#policy = policy;
    this.#now = now;
    this.#buckets = Array.from({ length: Math.max(1, Math.ceil(policy.windowMs / 1000)) }, () => ({
      second: -1,
      requests: 0,
      retries: 0,
    }));
  }

  #bucket(second: number): { second: number; requests: number; retries: number } {
    const bucket = this.#buckets[second % this.#buckets.length] as {
      second: number;
      requests: number;
      retries: number;
    };
    if (bucket.second !== second) Object.assign(bucket, { second, requests: 0, retries: 0 });
    return bucket;
  }

  recordRequest(): void {
    this.#bucket(Math.floor(this.#now() / 1000)).requests += 1;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryRetry(): boolean {
    const now = this.#now();
    const oldest = Math.floor((now - this.#policy.windowMs) / 1000);
    let requests = 0;
    let retries = 0;
    for (const bucket of this.#buckets) {
      if (bucket.second > oldest) {
        requests += bucket.requests;
        retries += bucket.retries;
      }
    }
    const allowance =
      this.#policy.ratio * requests + (this.#policy.minPerSecond * this.#policy.windowMs) / 1000;
    if (retries + 1 > allowance) return false;
    this.#bucket(Math.floor(now / 1000)).retries += 1;
    return true;
  }
}
