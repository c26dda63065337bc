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
          for (const error of errors) {
            const code = error.extensions?.code;
            codes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
            const limit = limitOf(error);
            if (limit !== undefined) observed.limitRefused(limit);
          }
          if (request.extensions?.persistedQuery !== undefined) {
            if (apollo.persistedQueryHit) metrics.apq('hit');
            else if (apollo.persistedQueryRegister) metrics.apq('registered');
            else if (codes.includes('PERSISTED_QUERY_NOT_FOUND')) metrics.apq('miss');
          }
          observed.operationFinished(
            { type: operation?.operation, name: operation?.name?.value, document: source },
            codes,
          );
        },
      };
    },
  };
}
