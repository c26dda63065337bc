/**
 * The answer that leaves is bounded, whatever execution produced. Three steps, in order:
 *
 * 1. A request that ran out of its upstream calls or of its answer bytes during execution
 *    (callBudget.ts, responseBudget.ts) is answered with that one error and `data: null`: a
 *    partial answer cut at an arbitrary field would look like data and be mostly nulls.
 * 2. The answer's JSON length is counted before it is serialized, stopping as soon as it passes
 *    the limit, so an oversized answer is never built as a string (an answer of 7,500 copies of
 *    one referral once held the event loop for 8 s in JSON.stringify).
 * 3. At most `maxErrors` error entries are sent; one last entry counts the rest.
 *
 * `boundedStringify` is the last check, on the bytes themselves: step 2 counts characters and
 * no escapes, so a string of control characters could still serialize larger than counted.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../graphql/context.ts';
import { UPSTREAM_BUDGET_MESSAGE } from '../graphql/errorMapping.ts';
import { responseTooLarge } from '../graphql/responseBudget.ts';

export interface ResponseLimits {
  readonly maxResponseBytes: number;
  readonly maxErrors: number;
}

const OVER = Symbol('over the limit');

/** JSON length of `value` (characters, escapes not counted), or -1 as soon as it passes `limit`. */
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
      add(node.length + 1);
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

function tooLarge(maxResponseBytes: number): GraphQLFormattedError {
  const { message, extensions } = responseTooLarge(maxResponseBytes);
  return { message, extensions: { ...extensions } };
}

export function responseLimitsPlugin(limits: ResponseLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (contextValue.call.budget.exhausted) {
            contextValue.logger.warn(
              { upstreamCalls: contextValue.call.budget.used },
              'request refused: upstream call budget spent',
            );
            response.body.singleResult = {
              data: null,
              errors: [
                { message: UPSTREAM_BUDGET_MESSAGE, extensions: { code: 'UPSTREAM_BUDGET_EXCEEDED' } },
              ],
            };
            return;
          }
          if (
            contextValue.response.exceeded ||
            (result.data != null && jsonLengthWithin(result.data, limits.maxResponseBytes) < 0)
          ) {
            contextValue.logger.warn(
              { maxResponseBytes: limits.maxResponseBytes },
              'request refused: answer too large',
            );
            response.body.singleResult = { data: null, errors: [tooLarge(limits.maxResponseBytes)] };
            return;
          }
          const errors = result.errors;
          if (errors !== undefined && errors.length > limits.maxErrors) {
            const omitted = errors.length - limits.maxErrors;
            response.body.singleResult = {
              ...result,
              errors: [
                ...errors.slice(0, limits.maxErrors),
                {
                  message: `${omitted} more errors were left out of this answer.`,
                  extensions: { code: 'TOO_MANY_ERRORS', omitted },
                },
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
