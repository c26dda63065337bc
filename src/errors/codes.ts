/**
 * Every `extensions.code` a client of the gateway can see, with the HTTP status it answers when
 * it refuses a whole request and what it means. This table is the public set: a code is minted
 * only through `gatewayError` (create.ts), which takes a key of this table, so a new code fails
 * `tsc` until it is written here; formatting (format.ts) masks any code not in it.
 *
 * Business outcomes of mutations are not here: they are union members.
 */
interface CodeInfo {
  /** The status of a request refused with this code before execution (execution errors ride on 200). */
  readonly httpStatus: number;
  readonly meaning: string;
}

export const GATEWAY_ERRORS = {
  // The caller and its request.
  UNAUTHENTICATED: {
    httpStatus: 401,
    meaning: 'no well-formed bearer token where the Partner API is needed, or the Partner API answered 401',
  },
  FORBIDDEN: { httpStatus: 403, meaning: 'the Partner API answered 403' },
  BAD_USER_INPUT: {
    httpStatus: 400,
    meaning:
      'an argument or variable is out of bounds (first out of range, a forged cursor, a malformed id…)',
  },
  IDEMPOTENCY_KEY_REUSED: {
    httpStatus: 200,
    meaning:
      'createReferral: the idempotencyKey was used before with another input (README "Creating referrals")',
  },
  BAD_REQUEST: {
    httpStatus: 400,
    meaning:
      'the HTTP request is malformed (body not JSON, too large, batched, a request target that is no path…)',
  },
  REQUEST_TIMEOUT: { httpStatus: 408, meaning: 'the request body did not arrive before the deadline' },
  // Apollo Server's own request codes, passed as they are.
  GRAPHQL_PARSE_FAILED: { httpStatus: 400, meaning: 'the document does not parse, or has too many tokens' },
  GRAPHQL_VALIDATION_FAILED: {
    httpStatus: 400,
    meaning: 'the document is invalid or over an operation limit (depth, aliases, directives, cost)',
  },
  PERSISTED_QUERY_NOT_FOUND: { httpStatus: 200, meaning: 'send the query with its hash again (APQ)' },
  OPERATION_RESOLUTION_FAILURE: { httpStatus: 400, meaning: 'no operation matches operationName' },
  // The request's budgets (README "Operation limits").
  UPSTREAM_BUDGET_EXCEEDED: {
    httpStatus: 400,
    meaning: 'the request needs more Partner API calls than MAX_UPSTREAM_CALLS',
  },
  RESPONSE_TOO_LARGE: { httpStatus: 200, meaning: 'the answer would pass MAX_RESPONSE_BYTES' },
  TOO_MANY_ERRORS: { httpStatus: 200, meaning: 'the last entry of an answer cut at 100 errors' },
  // The Partner API.
  NOT_FOUND: {
    httpStatus: 404,
    meaning: 'a path the gateway does not serve (HTTP 404), or a list page the Partner API no longer has',
  },
  RATE_LIMITED: { httpStatus: 200, meaning: 'the Partner API answered 429 (retryAfterSeconds when it said)' },
  UPSTREAM_UNAVAILABLE: { httpStatus: 200, meaning: '5xx, refused or reset connections' },
  UPSTREAM_TIMEOUT: { httpStatus: 200, meaning: 'no answer within the timeouts or the request deadline' },
  UPSTREAM_BAD_RESPONSE: {
    httpStatus: 200,
    meaning: 'a response that is not JSON, has the wrong shape, or is too large',
  },
  // Shared state (README "Shared state (Redis)").
  SHARED_STATE_UNAVAILABLE: {
    httpStatus: 200,
    meaning:
      'createReferral/shareReferralWithMicrosoft with an idempotencyKey while Redis (REDIS_URL) cannot be reached; nothing was sent',
  },
  // Ours, masked: details are logged with the request id, never sent.
  INTERNAL_SERVER_ERROR: { httpStatus: 500, meaning: 'anything else' },
} as const satisfies Readonly<Record<string, CodeInfo>>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export const GATEWAY_ERROR_CODES = Object.keys(GATEWAY_ERRORS) as readonly GatewayErrorCode[];

const PUBLIC: ReadonlySet<string> = new Set(GATEWAY_ERROR_CODES);

export function isGatewayErrorCode(code: unknown): code is GatewayErrorCode {
  return typeof code === 'string' && PUBLIC.has(code);
}

export const INTERNAL_ERROR_MESSAGE = 'Internal server error.';
