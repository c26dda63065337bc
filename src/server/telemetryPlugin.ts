/**
 * Apollo's side of a request's telemetry (requestTelemetry.ts): the operation span opens when
 * Apollo starts on the request and closes when it answers, with the operation's type and name
 * (OpenTelemetry's GraphQL conventions) and the answer's public error codes. The same hook
 * reports the request's outcome, the limits that refused or cut it, and what automatic persisted
 * queries did. Placed after responseLimitsPlugin, so it reads the answer as the client gets it
 * (RESPONSE_TOO_LARGE, TOO_MANY_ERRORS included) and every code is a public one (formatted).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../graphql/context.ts';
import type { GatewayMetrics } from '../telemetry/metrics.ts';
import { isBearerAuthorization } from '../upstream/bearer.ts';
import { limitOf } from './limitRefusals.ts';
import { RequestTelemetry } from './requestTelemetry.ts';

export function telemetryPlugin(metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const observed = contextValue.observer;
      if (!(observed instanceof RequestTelemetry)) return;
      observed.operationStarted();
      return {
        async willSendResponse({ response, request, operation, source, metrics: apollo }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes: string[] = [];
          let limited = false;
          for (const error of errors) {
            const code = error.extensions?.code;
            codes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
            const limit = limitOf(error);
            if (limit !== undefined) {
              observed.limitRefused(limit);
              limited = true;
            }
          }
          if (request.extensions?.persistedQuery !== undefined) {
            if (apollo.persistedQueryHit) metrics.apq('hit');
            else if (apollo.persistedQueryRegister) metrics.apq('registered');
            else if (codes.includes('PERSISTED_QUERY_NOT_FOUND')) metrics.apq('miss');
          }
          observed.operationFinished(
            {
              type: operation?.operation,
              name: operation?.name?.value,
              document: source,
              admitName: admitsOperationName(
                request.http?.headers.get('authorization'),
                response.body.kind === 'single' && response.body.singleResult.data !== undefined,
                limited,
                codes,
              ),
            },
            codes,
          );
        },
      };
    },
  };
}

/**
 * May this request make its operation name a metric label value (metrics.ts `OperationNames`)?
 * Only when it carried a well-formed bearer token and was executed (an answer with `data`: no
 * parse, validation or guard refusal), no limit cut it, and the Partner API did not refuse its
 * token. Otherwise any client could fill the label set with invented names.
 */
function admitsOperationName(
  authorization: string | undefined,
  executed: boolean,
  limited: boolean,
  codes: readonly string[],
): boolean {
  return (
    isBearerAuthorization(authorization) &&
    executed &&
    !limited &&
    !codes.some((code) => code === 'UNAUTHENTICATED' || code === 'FORBIDDEN')
  );
}
