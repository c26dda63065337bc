/**
 * One JSON log line per GraphQL request (operation name, outcome, duration) and what the client
 * is not shown: masked errors in full, upstream failures by code and status. Every line carries
 * the request id, which the client gets as `x-request-id` and can quote, and the correlation id.
 * Never variables, bodies, URLs or tokens: they may hold personal data.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GatewayContext } from '../graphql/context.ts';
import { isMasked } from '../graphql/formatError.ts';
import { isUpstreamError } from '../upstream/upstreamErrors.ts';

export function loggingPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      let errorCount = 0;
      return {
        async willSendResponse({ contextValue, response, operationName }) {
          response.http.headers.set('x-request-id', contextValue.requestId);
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
            if (isUpstreamError(original)) {
              contextValue.logger.warn(
                {
                  code: original.code,
                  status: original.status,
                  upstreamCode: original.upstreamCode,
                  operationName,
                },
                'upstream call failed',
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
