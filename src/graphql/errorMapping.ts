/**
 * The only map from failures to what a GraphQL client sees. Business failures of mutations are
 * union members (not here); everything else is a top-level error whose `extensions.code` comes
 * from the closed set below, with a fixed message written for the client. Upstream bodies, URLs,
 * hosts and stack traces never pass through: messages are chosen by code, not copied.
 */
import { GraphQLError } from 'graphql';
import type { UpstreamError, UpstreamErrorCode } from '../upstream/upstreamErrors.ts';

export const GATEWAY_ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
  // The request's own limits (README "Operation limits"): more Partner API calls, a larger
  // answer, or more time than one request may take.
  'UPSTREAM_BUDGET_EXCEEDED',
  'RESPONSE_TOO_LARGE',
  'REQUEST_TIMEOUT',
  // The last entry of an answer whose error list was cut (server/responseLimits.ts).
  'TOO_MANY_ERRORS',
  'INTERNAL_SERVER_ERROR',
] as const;

export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

export const NO_CREDENTIALS_MESSAGE =
  'This needs the Partner API: send an "Authorization: Bearer <token>" header.';
export const UPSTREAM_BUDGET_MESSAGE =
  'This request needs more Partner API calls than one request may make. Split it into smaller requests.';

interface PublicError {
  readonly code: GatewayErrorCode;
  readonly message: string;
}

const UPSTREAM_TO_PUBLIC: Readonly<Record<UpstreamErrorCode, PublicError>> = {
  UNAUTHENTICATED: {
    code: 'UNAUTHENTICATED',
    message:
      'The Partner API did not accept the credentials. Send a valid "Authorization: Bearer <token>" header.',
  },
  NO_CREDENTIALS: { code: 'UNAUTHENTICATED', message: NO_CREDENTIALS_MESSAGE },
  CALL_BUDGET_EXCEEDED: { code: 'UPSTREAM_BUDGET_EXCEEDED', message: UPSTREAM_BUDGET_MESSAGE },
  FORBIDDEN: { code: 'FORBIDDEN', message: 'The caller is not allowed to do this in the Partner API.' },
  BAD_REQUEST: { code: 'BAD_USER_INPUT', message: 'The Partner API rejected the request as invalid.' },
  NOT_FOUND: { code: 'NOT_FOUND', message: 'The Partner API has no such resource.' },
  RATE_LIMITED: { code: 'RATE_LIMITED', message: 'The Partner API is throttling requests. Try again later.' },
  UPSTREAM_UNAVAILABLE: {
    code: 'UPSTREAM_UNAVAILABLE',
    message: 'The Partner API is unavailable. Try again later.',
  },
  UPSTREAM_TIMEOUT: { code: 'UPSTREAM_TIMEOUT', message: 'The Partner API did not answer in time.' },
  UPSTREAM_BAD_RESPONSE: {
    code: 'UPSTREAM_BAD_RESPONSE',
    message: 'The Partner API sent a response the gateway could not understand.',
  },
  // Reads send no body and no If-Match, so these mean the upstream misbehaved (writes map them
  // to union members in updateReferral.ts).
  CONFLICT: {
    code: 'UPSTREAM_BAD_RESPONSE',
    message: 'The Partner API sent a response the gateway could not understand.',
  },
  CONTENT_TOO_LARGE: {
    code: 'UPSTREAM_BAD_RESPONSE',
    message: 'The Partner API sent a response the gateway could not understand.',
  },
  UNPROCESSABLE: {
    code: 'UPSTREAM_BAD_RESPONSE',
    message: 'The Partner API sent a response the gateway could not understand.',
  },
  PRECONDITION_FAILED: {
    code: 'UPSTREAM_BAD_RESPONSE',
    message: 'The Partner API sent a response the gateway could not understand.',
  },
  PRECONDITION_REQUIRED: {
    code: 'UPSTREAM_BAD_RESPONSE',
    message: 'The Partner API sent a response the gateway could not understand.',
  },
};

export const INTERNAL_ERROR_MESSAGE = 'Internal server error.';

/** The client-facing form of an upstream failure. */
export function publicUpstreamError(error: UpstreamError): {
  message: string;
  extensions: { code: GatewayErrorCode; retryAfterSeconds?: number };
} {
  const { code, message } = UPSTREAM_TO_PUBLIC[error.code];
  const extensions: { code: GatewayErrorCode; retryAfterSeconds?: number } = { code };
  if (error.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = error.retryAfterSeconds;
  return { message, extensions };
}

/** A deliberate client-input error; its message must not echo the offending value. */
export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}
