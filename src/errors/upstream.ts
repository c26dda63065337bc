/**
 * The client-facing form of every upstream failure. The map is total over the upstream codes
 * (a `Record`), so a new upstream code fails `tsc` until it has a public code and message here.
 * Messages are chosen by code, never copied: upstream bodies, URLs and hosts do not pass.
 */
import type { UpstreamError, UpstreamErrorCode } from '../upstream/upstreamErrors.ts';
import type { GatewayErrorCode } from './codes.ts';
import { NO_CREDENTIALS_MESSAGE, UPSTREAM_BUDGET_MESSAGE } from './create.ts';

interface PublicError {
  readonly code: GatewayErrorCode;
  readonly message: string;
}

const NOT_UNDERSTOOD: PublicError = {
  code: 'UPSTREAM_BAD_RESPONSE',
  message: 'The Partner API sent a response the gateway could not understand.',
};

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
  UPSTREAM_BAD_RESPONSE: NOT_UNDERSTOOD,
  // Reads send no body and no If-Match, so these mean the upstream misbehaved (writes map them
  // to union members in the write service).
  CONFLICT: NOT_UNDERSTOOD,
  CONTENT_TOO_LARGE: NOT_UNDERSTOOD,
  UNPROCESSABLE: NOT_UNDERSTOOD,
  PRECONDITION_FAILED: NOT_UNDERSTOOD,
  PRECONDITION_REQUIRED: NOT_UNDERSTOOD,
};

export interface PublicUpstreamError {
  readonly message: string;
  readonly extensions: { readonly code: GatewayErrorCode; readonly retryAfterSeconds?: number };
}

export function publicUpstreamError(error: UpstreamError): PublicUpstreamError {
  const { code, message } = UPSTREAM_TO_PUBLIC[error.code];
  return {
    message,
    extensions:
      error.retryAfterSeconds === undefined ? { code } : { code, retryAfterSeconds: error.retryAfterSeconds },
  };
}
