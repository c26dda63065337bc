/**
 * The answer that leaves is bounded, whatever execution produced. Two steps, in order:
 *
 * 1. A request that ran out of answer bytes while resolving (responseBudget.ts), or whose answer
 *    counts past the limit before it is serialized (counting stops as soon as it passes), is
 *    answered with one RESPONSE_TOO_LARGE error and `data: null`: an oversized answer is never
 *    built as a string (7,500 copies of one referral once held the event loop for 8 s in
 *    JSON.stringify). For a mutation the error says writes may have happened: a change that
 *    was made must never look as if it was not.
 * 2. At most `maxErrors` error entries are sent; one last entry counts the rest. (A request that
 *    ran out of upstream calls keeps what it resolved, each refused field carrying
 *    UPSTREAM_BUDGET_EXCEEDED, and so stays within this too.)
 *
 * `boundedStringify` is the last check, on the bytes themselves: step 2 counts characters and
 * no escapes, so a string of control characters could still serialize larger than counted.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { formattedError, responseTooLargeMessage } from '../errors/create.ts';
import type { GatewayContext } from '../graphql/context.ts';

export interface ResponseLimits {
  readonly maxResponseBytes: number;
  readonly maxErrors: number;
}

const OVER = Symbol('over the limit');

/**
 * JSON length of `value` in characters, counted from above by at most one per object and array
 * (escapes not counted), or -1 as soon as it passes `limit`.
 */
export function jsonLengthWithin(value: unknown, limit: number): number {
  let total = 0;
  const add = (n: number) => {
    total += n;
    if (total > limit) throw OVER;
  };
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      add(node.length + 2);
      return;
    }
    if (node === null || typeof node !== 'object') {
      add(node === undefined ? 0 : String(node).length);
      return;
    }
    if (Array.isArray(node)) {
      // Brackets and commas (one comma too many: this counts from above).
      add(node.length + 2);
      for (const item of node) walk(item);
      return;
    }
    add(2);
    for (const key in node) {
      const item = (node as Record<string, unknown>)[key];
      if (item === undefined) continue;
      add(key.length + 4);
      walk(item);
    }
  };
  try {
    walk(value);
    return total;
  } catch (error) {
    if (error === OVER) return -1;
    throw error;
  }
}

function tooLarge(maxResponseBytes: number, mutation = false): GraphQLFormattedError {
  const message = responseTooLargeMessage(maxResponseBytes);
  return formattedError(
    'RESPONSE_TOO_LARGE',
    mutation
      ? `${message} Changes this request made may have been written: read the referrals again before retrying.`
      : message,
  );
}

export function responseLimitsPlugin(limits: ResponseLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response, operation }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (contextValue.call.budget.exhausted) {
            contextValue.logger.warn(
              { upstreamCalls: contextValue.call.budget.used },
              'upstream call budget spent: further calls refused',
            );
          }
          if (
            contextValue.response.exceeded ||
            (result.data != null && jsonLengthWithin(result.data, limits.maxResponseBytes) < 0)
          ) {
            contextValue.logger.warn(
              { maxResponseBytes: limits.maxResponseBytes },
              'request refused: answer too large',
            );
            response.body.singleResult = {
              data: null,
              errors: [tooLarge(limits.maxResponseBytes, operation?.operation === 'mutation')],
            };
            return;
          }
          const errors = result.errors;
          if (errors !== undefined && errors.length > limits.maxErrors) {
            const omitted = errors.length - limits.maxErrors;
            response.body.singleResult = {
              ...result,
              errors: [
                ...errors.slice(0, limits.maxErrors),
                formattedError('TOO_MANY_ERRORS', `${omitted} more errors were left out of this answer.`, {
                  omitted,
                }),
              ],
            };
          }
        },
      };
    },
  };
}

/**
 * Apollo's `stringifyResult`: JSON.stringify without Apollo's trailing newline (one more full
 * copy of every answer), and the exact byte check of the answer.
 */
export function boundedStringify(maxResponseBytes: number): (value: unknown) => string {
  const refusal = JSON.stringify({ data: null, errors: [tooLarge(maxResponseBytes)] });
  return (value) => {
    const json = JSON.stringify(value);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only a long answer needs counting.
    if (
      json.length > maxResponseBytes ||
      (json.length * 3 > maxResponseBytes && Buffer.byteLength(json) > maxResponseBytes)
    )
      return refusal;
    return json;
  };
}
