/**
 * `DateTime`: the Partner API's UTC timestamps as strings, passed through verbatim in both
 * directions. Never converted to `Date`: the upstream's 7 fractional digits would be cut to 3.
 * Input values must be strings; their format is checked by the update's field validation, so
 * a bad date answers `ReferralValidationFailed` with its path like every other format error.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from '../errors/create.ts';

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string') {
    throw badUserInput('DateTime must be a string such as 2025-06-30T00:00:00.0000000Z');
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
      throw badUserInput('DateTime must be a string');
    }
    return parseDateTime(ast.value);
  },
});
