/**
 * Logs what the client is not shown: masked errors in full (with the request id the client can
 * quote), upstream failures by code and status. Never bodies, URLs or tokens.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GatewayContext } from '../graphql/context.ts';
import { isMasked } from '../graphql/formatError.ts';
import { isUpstreamError } from '../upstream/upstreamErrors.ts';

export function loggingPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors, operationName }) {
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
