/**
 * The write service's view of a GraphQL request: its upstream calls, the configured write mode,
 * its logger, and the per-request loader kept in step with every referral the service read or
 * wrote (whole and current, so later loads in the same request see it). One home for this, so
 * every mutation's resolver hands the services the same thing.
 */
import type { WriteContext } from '../services/writeReferral.ts';
import type { GatewayContext } from './context.ts';

export function writeContextOf(ctx: GatewayContext): WriteContext {
  return {
    api: ctx.api,
    call: ctx.call,
    writeMode: ctx.writeMode,
    log: ctx.logger,
    observe: (referral) => {
      ctx.loaders.referral.clear(referral.id).prime(referral.id, referral);
    },
  };
}
