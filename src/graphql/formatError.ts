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

/** "Did you mean …?" anywhere in a message, e.g. `Did you mean the enum value "ACTIVE"?`. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * The formatter Apollo runs on every error, request errors and variable coercion errors included.
 * With `hideSuggestions` (production) it also strips field, argument, type and enum value
 * suggestions from every message it lets through: variable values are coerced at execution
 * start, and their errors (`Field "statuss" is not defined by type "ReferralFilter". Did you mean
 * "status"?`) would otherwise list schema names that introspection, off in production, does not
 * give away. Done here, on the formatted copy, because the error objects themselves may not be
 * written to (graphql-jit's `message` is read-only: assigning it failed every coded resolver
 * error in production with a 500).
 */
export function createFormatError(options: {
  readonly hideSuggestions: boolean;
}): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  if (!options.hideSuggestions) return formatError;
  return (formatted, error) => {
    const shown = formatError(formatted, error);
    return shown.message.includes('Did you mean')
      ? { ...shown, message: shown.message.replace(SUGGESTION, '') }
      : shown;
  };
}

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
