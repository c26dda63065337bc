/**
 * The one normalising step every error passes on its way to a client, GraphQL and HTTP level
 * alike (Apollo's `formatError`, and `httpErrorBody` for answers written before Apollo runs).
 * In this order:
 *
 * 1. fill a missing code: an upstream failure gets its public form (upstream.ts), a failure of
 *    the shared state (Redis) is SHARED_STATE_UNAVAILABLE; an error Apollo
 *    answers with a 4xx but no code (an unsupported persisted-query version…) is BAD_REQUEST,
 *    not the INTERNAL_SERVER_ERROR Apollo would stamp on it;
 * 2. strip "Did you mean …?" suggestions, in production: variable coercion errors name schema
 *    fields that introspection, off in production, does not give away. Done on the formatted
 *    copy: graphql-jit's error messages are read-only;
 * 3. mask by allow-list (as envelop's useMaskedErrors): a code of the public set (codes.ts) keeps
 *    its message, `code` and `retryAfterSeconds` and nothing else; everything else becomes
 *    INTERNAL_SERVER_ERROR with a fixed message. The original is logged by the logging plugin,
 *    which knows the request id.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isSharedStateUnavailable } from '../state/sharedStateError.ts';
import { isUpstreamError } from '../upstream/upstreamErrors.ts';
import { type GatewayErrorCode, INTERNAL_ERROR_MESSAGE, isGatewayErrorCode } from './codes.ts';
import { SHARED_STATE_UNAVAILABLE_MESSAGE } from './create.ts';
import { publicUpstreamError } from './upstream.ts';

/** "Did you mean …?" anywhere in a message, e.g. `Did you mean the enum value "ACTIVE"?`. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

export interface FormatOptions {
  /** Production: no schema names in messages. */
  readonly hideSuggestions: boolean;
}

type Format = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export function createFormatError(options: FormatOptions): Format {
  return (formatted, error) => {
    const shown = normalize(formatted, error);
    return options.hideSuggestions && shown.message.includes('Did you mean')
      ? { ...shown, message: shown.message.replace(SUGGESTION, '') }
      : shown;
  };
}

/** Steps 1 and 3 (suggestions are kept): what a client sees of `error`. */
export function normalize(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const where = { locations: formatted.locations, path: formatted.path };
  if (isUpstreamError(original)) return { ...publicUpstreamError(original), ...where };
  if (isSharedStateUnavailable(original)) {
    return {
      message: SHARED_STATE_UNAVAILABLE_MESSAGE,
      ...where,
      extensions: { code: 'SHARED_STATE_UNAVAILABLE' },
    };
  }
  if (!(original instanceof GraphQLError)) return masked(where);
  const code = codeOf(formatted, original);
  // INTERNAL_SERVER_ERROR is also what Apollo stamps on any uncoded error: never pass its text.
  if (code === undefined || code === 'INTERNAL_SERVER_ERROR') return masked(where);
  const extensions: Record<string, unknown> = { code };
  if (typeof formatted.extensions?.retryAfterSeconds === 'number') {
    extensions.retryAfterSeconds = formatted.extensions.retryAfterSeconds;
  }
  return { message: formatted.message, ...where, extensions };
}

/** The HTTP status an error asks Apollo to answer with, if any (`extensions.http.status`). */
export function httpStatusOf(error: GraphQLError): number | undefined {
  return (error.extensions.http as { status?: number } | undefined)?.status;
}

/** Apollo answers it with a 4xx: a refused request, the client's to fix. */
export function refusesRequest(error: GraphQLError): boolean {
  const status = httpStatusOf(error);
  return status !== undefined && status >= 400 && status < 500;
}

function codeOf(formatted: GraphQLFormattedError, original: GraphQLError): GatewayErrorCode | undefined {
  const own = original.extensions.code;
  if (own === undefined && refusesRequest(original)) return 'BAD_REQUEST';
  const code = formatted.extensions?.code ?? own;
  return isGatewayErrorCode(code) ? code : undefined;
}

function masked(where: Pick<GraphQLFormattedError, 'locations' | 'path'>): GraphQLFormattedError {
  return { message: INTERNAL_ERROR_MESSAGE, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** True when formatting would hide this error: the logging plugin logs those in full. */
export function isMasked(error: GraphQLError): boolean {
  return normalize(error.toJSON(), error).extensions?.code === 'INTERNAL_SERVER_ERROR';
}

/** The body of an answer written before Apollo runs (413, 408, invalid JSON, 500). */
export function httpErrorBody(code: GatewayErrorCode, message: string): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message, extensions: { code } }] };
}
