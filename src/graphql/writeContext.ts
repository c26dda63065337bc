/**
 * The write service's view of a GraphQL request: its upstream calls, the configured write mode,
 * its logger, and the per-request loaders kept in step with every referral the service read or
 * wrote: the by-id loader takes it (whole and current, so later loads in the same request see
 * it), and its engagement's related-referrals list is dropped, so a later `relatedReferrals` in
 * the same request lists the engagement again rather than answer from before the write. One home
 * for this, so every mutation's resolver hands the services the same thing.
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
      const { engagementId } = referral;
      if (typeof engagementId === 'string' && engagementId.trim() !== '') {
        // Keyed by the engagement alone (loaders.ts `cacheKeyFn`): the link does not matter here.
        ctx.loaders.engagementReferrals.clear({ engagementId, link: undefined });
      }
    },
  };
}
