/**
 * Which limit of README "Operation limits" an answer's error stands for, as a bounded metric
 * label. The codes say most of it; the validation and parse codes cover several limits each, told
 * apart by the messages that name them (graphql-armor's with `exposeLimits`, securityRules.ts;
 * graphql-js's token limit; requestGuards.ts). Errors that are no limit are `undefined`.
 * The limits answered before Apollo runs (413 body size, 408 body deadline) are counted by
 * requestTelemetry.ts.
 */
import type { GraphQLFormattedError } from 'graphql';

export type LimitName =
  | 'depth'
  | 'aliases'
  | 'directives'
  | 'cost'
  | 'tokens'
  | 'entity_representations'
  | 'variables'
  | 'upstream_calls'
  | 'response_bytes'
  | 'errors';

const VALIDATION_LIMITS: readonly (readonly [RegExp, LimitName])[] = [
  [/\bdepth limit of \d+ exceeded/, 'depth'],
  [/\bAliases limit of \d+ exceeded/, 'aliases'],
  [/\bDirectives limit of \d+ exceeded/, 'directives'],
  [/\bCost limit of \d+ exceeded/, 'cost'],
];

/** graphql-js's parser: "Document contains more that N tokens" (sic, graphql 16). */
const TOKEN_LIMIT = /contains more th[ae]n? \d+ tokens/;
const REPRESENTATION_LIMIT = /`_entities` representations are accepted per request/;
const VARIABLE_LIMIT =
  /^(Variables may nest at most|A list in the variables may have at most|An object in the variables may have at most)/;

export function limitOf(error: GraphQLFormattedError): LimitName | undefined {
  const code = error.extensions?.code;
  switch (code) {
    case 'UPSTREAM_BUDGET_EXCEEDED':
      return 'upstream_calls';
    case 'RESPONSE_TOO_LARGE':
      return 'response_bytes';
    case 'TOO_MANY_ERRORS':
      return 'errors';
    case 'GRAPHQL_PARSE_FAILED':
      return TOKEN_LIMIT.test(error.message) ? 'tokens' : undefined;
    case 'GRAPHQL_VALIDATION_FAILED':
      return VALIDATION_LIMITS.find(([pattern]) => pattern.test(error.message))?.[1];
    case 'BAD_USER_INPUT':
      if (REPRESENTATION_LIMIT.test(error.message)) return 'entity_representations';
      return VARIABLE_LIMIT.test(error.message) ? 'variables' : undefined;
    default:
      return undefined;
  }
}
