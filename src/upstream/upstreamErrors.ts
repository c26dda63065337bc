/**
 * The closed set of ways an upstream call can fail. Everything the HTTP client sees (a status, a
 * socket error, a bad body) becomes exactly one of these codes; callers branch on `code`, never on
 * message text. The message is for logs only and never contains bodies, URLs or tokens.
 */
export const UPSTREAM_ERROR_CODES = [
  'BAD_REQUEST', // 400: the Partner API rejected the request's content
  'UNAUTHENTICATED', // 401
  'FORBIDDEN', // 403
  'NOT_FOUND', // 404
  'CONFLICT', // 409: the request conflicts with the resource's state (RFC 9110 §15.5.10)
  'PRECONDITION_FAILED', // 412: If-Match did not match (RFC 9110 §13.1.1)
  'CONTENT_TOO_LARGE', // 413: the request body is larger than the Partner API takes (RFC 9110 §15.5.14)
  'UNPROCESSABLE', // 422: well-formed but semantically refused content (RFC 9110 §15.5.21)
  'PRECONDITION_REQUIRED', // 428: a write without If-Match (RFC 6585 §3)
  'RATE_LIMITED', // 429
  'UPSTREAM_UNAVAILABLE', // 5xx, refused or reset connections
  'UPSTREAM_TIMEOUT', // connect/headers/body timeout, or the request's deadline passed
  'UPSTREAM_BAD_RESPONSE', // unexpected status, content type, invalid JSON, wrong shape, too large
  // Not sent at all, decided before any byte left (no call was made):
  'NO_CREDENTIALS', // the request carries no well-formed bearer token (bearer.ts)
  'CALL_BUDGET_EXCEEDED', // the GraphQL request has spent its upstream calls (callBudget.ts)
] as const;

export type UpstreamErrorCode = (typeof UPSTREAM_ERROR_CODES)[number];

export interface UpstreamErrorDetails {
  /** HTTP status, when the upstream answered. */
  readonly status?: number | undefined;
  /** The Partner API's `error.code` (e.g. `preconditionFailed`), when its error body had one. */
  readonly upstreamCode?: string | undefined;
  /**
   * The Partner API's `error.message` for a 400, 409, 413 or 422. Documented as non-empty, at most 1024 characters
   * and not localized (docs/partner-api.md §8); kept so validation failures can explain themselves.
   */
  readonly upstreamMessage?: string | undefined;
  /** Seconds from a 429/503 `Retry-After` header (RFC 9110 §10.2.3). */
  readonly retryAfterSeconds?: number | undefined;
  /** The socket or undici error code (`ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT`…) of a transport failure. */
  readonly transportCode?: string | undefined;
  readonly cause?: unknown;
}

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly code: UpstreamErrorCode;
  readonly status: number | undefined;
  readonly upstreamCode: string | undefined;
  readonly upstreamMessage: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly transportCode: string | undefined;

  constructor(code: UpstreamErrorCode, message: string, details: UpstreamErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.upstreamCode = details.upstreamCode;
    this.upstreamMessage = details.upstreamMessage;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.transportCode = details.transportCode;
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}
