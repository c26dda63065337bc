/**
 * Every error the gateway raises on purpose is made here, with a code from codes.ts. A request
 * refused before execution carries its HTTP status (Apollo answers with it); an error inside
 * execution rides on 200 with its path. Messages are written for the client and never echo the
 * offending value.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { GATEWAY_ERRORS, type GatewayErrorCode } from './codes.ts';

export interface GatewayErrorOptions {
  /** Refuses the whole request before execution, with the code's HTTP status. */
  readonly refusesRequest?: boolean;
  /** Extra public extensions (only those format.ts lets through reach the client). */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export function gatewayError(
  code: GatewayErrorCode,
  message: string,
  options: GatewayErrorOptions = {},
): GraphQLError {
  const http = options.refusesRequest ? { http: { status: GATEWAY_ERRORS[code].httpStatus } } : {};
  return new GraphQLError(message, { extensions: { ...options.extensions, code, ...http } });
}

/** The client-facing entry itself, for answers built after formatting (responseLimits.ts). */
export function formattedError(
  code: GatewayErrorCode,
  message: string,
  extensions: Readonly<Record<string, unknown>> = {},
): GraphQLFormattedError {
  return { message, extensions: { code, ...extensions } };
}

/** A deliberate client-input error inside execution. */
export function badUserInput(message: string): GraphQLError {
  return gatewayError('BAD_USER_INPUT', message);
}

/** A request refused before execution for what it carries. */
export function refusedInput(message: string): GraphQLError {
  return gatewayError('BAD_USER_INPUT', message, { refusesRequest: true });
}

export const NO_CREDENTIALS_MESSAGE =
  'This needs the Partner API: send an "Authorization: Bearer <token>" header.';

/** No bearer token where the Partner API is needed (401; httpHandler.ts adds `WWW-Authenticate`). */
export function noCredentials(): GraphQLError {
  return gatewayError('UNAUTHENTICATED', NO_CREDENTIALS_MESSAGE, { refusesRequest: true });
}

export const UPSTREAM_BUDGET_MESSAGE =
  'This request needs more Partner API calls than one request may make. Split it into smaller requests.';

/** A request certain to need more Partner API calls than its budget. */
export function upstreamBudgetExceeded(needed: number, limit: number): GraphQLError {
  return gatewayError(
    'UPSTREAM_BUDGET_EXCEEDED',
    `This request needs at least ${needed} Partner API calls; one request may make at most ${limit}. Split it into smaller requests.`,
    { refusesRequest: true },
  );
}

/** An operation over a limit that validation could not price (its page sizes come from variables). */
export function overLimit(message: string): GraphQLError {
  return gatewayError('GRAPHQL_VALIDATION_FAILED', message, { refusesRequest: true });
}

export function responseTooLarge(limitBytes: number): GraphQLError {
  return gatewayError('RESPONSE_TOO_LARGE', responseTooLargeMessage(limitBytes));
}

export function responseTooLargeMessage(limitBytes: number): string {
  return `The answer would be larger than ${limitBytes} bytes. Ask for fewer items or fewer fields.`;
}

export const IDEMPOTENCY_KEY_REUSED_MESSAGE =
  'This idempotencyKey was already used with another input. Use a new key for a different referral, or send the same input again.';

/** createReferral's key names another input than the one it was first used with. */
export function idempotencyKeyReused(): GraphQLError {
  return gatewayError('IDEMPOTENCY_KEY_REUSED', IDEMPOTENCY_KEY_REUSED_MESSAGE);
}

export const SHARED_STATE_UNAVAILABLE_MESSAGE =
  'The idempotency records are unavailable right now, so this create was not sent. Send the same mutation with the same idempotencyKey again shortly.';
