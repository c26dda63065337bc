/**
 * The one place that decides what of an error reaches a client (allow-list masking, as envelop's
 * useMaskedErrors): upstream failures get their public form from errorMapping.ts; errors created
 * on purpose with a known code pass with only `code` and `retryAfterSeconds`; everything else
 * becomes INTERNAL_SERVER_ERROR with a fixed message. The original is logged by the logging
 * plugin, which knows the request id.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isUpstreamError } from '../upstream/upstreamErrors.ts';
import { GATEWAY_ERROR_CODES, INTERNAL_ERROR_MESSAGE, publicUpstreamError } from './errorMapping.ts';

/** Codes Apollo Server itself assigns to request errors (parse, validation, APQ, bad HTTP). */
const APOLLO_REQUEST_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
];

const PUBLIC_CODES: ReadonlySet<string> = new Set<string>([...GATEWAY_ERROR_CODES, ...APOLLO_REQUEST_CODES]);

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const where = { locations: formatted.locations, path: formatted.path };
  if (isUpstreamError(original)) return { ...publicUpstreamError(original), ...where };
  const code = formatted.extensions?.code;
  // INTERNAL_SERVER_ERROR is also what Apollo stamps on any uncoded error: never pass its text.
  if (
    original instanceof GraphQLError &&
    typeof code === 'string' &&
    code !== 'INTERNAL_SERVER_ERROR' &&
    PUBLIC_CODES.has(code)
  ) {
    const extensions: Record<string, unknown> = { code };
    if (typeof formatted.extensions?.retryAfterSeconds === 'number') {
      extensions.retryAfterSeconds = formatted.extensions.retryAfterSeconds;
    }
    return { message: formatted.message, ...where, extensions };
  }
  return { message: INTERNAL_ERROR_MESSAGE, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** True when `formatError` would hide this error: the logging plugin logs those in full. */
export function isMasked(error: GraphQLError): boolean {
  return formatError(error.toJSON(), error).extensions?.code === 'INTERNAL_SERVER_ERROR';
}
