/**
 * `DateTime`: the Partner API's UTC timestamps as strings, passed through verbatim in both
 * directions. Never converted to `Date`: the upstream's 7 fractional digits would be cut to 3.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** ISO 8601 UTC date-time with `Z`, any number of fractional digits (fact sheet §10). */
export const UTC_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !UTC_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be a UTC ISO 8601 date-time such as 2024-05-01T12:00:00.0000000Z', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

export const DateTime = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  // Output: whatever string the upstream sent, unchanged (its format is its own business).
  serialize(value) {
    if (typeof value !== 'string') throw new TypeError('DateTime values are strings from the Partner API');
    return value;
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return parseDateTime(ast.value);
  },
});
