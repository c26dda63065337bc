/**
 * One JSON log line per GraphQL request (operation name, outcome, duration) and what the client
 * is not shown: masked errors in full, upstream failures by code and status. Every line carries
 * the request id, which the client gets as `x-request-id` (httpHandler.ts) and can quote, and the
 * correlation id.
 * Never variables, bodies, URLs or tokens: they may hold personal data.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { httpStatusOf, isMasked, refusesRequest } from '../errors/format.ts';
import type { GatewayContext } from '../graphql/context.ts';
import { isUpstreamError } from '../upstream/upstreamErrors.ts';

/** Upstream codes decided before any call: what the client sent, not a Partner API failure. */
const NOT_SENT: ReadonlySet<string> = new Set(['NO_CREDENTIALS', 'CALL_BUDGET_EXCEEDED']);

export function loggingPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    // Apollo answers 500 without telling anyone why: say it here, with the request id.
    async unexpectedErrorProcessingRequest({ requestContext, error }) {
      const logger = (requestContext.contextValue as GatewayContext | undefined)?.logger;
      if (logger) logger.error({ err: error }, 'request failed inside Apollo Server');
      else requestContext.logger.error(`request failed inside Apollo Server: ${String(error)}`);
    },
    async requestDidStart() {
      const startedAt = performance.now();
      let errorCount = 0;
      return {
        async willSendResponse({ contextValue, operationName }) {
          // `x-request-id` is set by httpHandler.ts on every answer, this one included.
          contextValue.logger.info(
            { operationName, errors: errorCount, durationMs: Math.round(performance.now() - startedAt) },
            'graphql request',
          );
        },
        async didEncounterErrors({ contextValue, errors, operationName }) {
          errorCount += errors.length;
          // The client hung up: upstream calls were cancelled on purpose, not failed.
          const signal = contextValue.call.signal;
          if (signal?.aborted && (signal.reason as { name?: string } | undefined)?.name !== 'TimeoutError') {
            contextValue.logger.info({ operationName }, 'client went away; upstream calls cancelled');
            return;
          }
          for (const error of errors) {
            const original = unwrapResolverError(error);
            if (isUpstreamError(original) && NOT_SENT.has(original.code)) {
              contextValue.logger.info({ code: original.code, operationName }, 'upstream call not made');
            } else if (isUpstreamError(original)) {
              contextValue.logger.warn(
                {
                  code: original.code,
                  status: original.status,
                  upstreamCode: original.upstreamCode,
                  operationName,
                },
                'upstream call failed',
              );
            } else if (refusesRequest(error)) {
              contextValue.logger.info(
                { code: error.extensions.code, status: httpStatusOf(error), operationName },
                'request refused',
              );
            } else if (isMasked(error)) {
              contextValue.logger.error(
                { err: original, operationName, path: error.path },
                'masked internal error',
              );
            }
          }
        },
      };
    },
  };
}
